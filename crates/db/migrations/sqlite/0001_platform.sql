-- Platform schema (issue #2). Kept in lock-step with ../postgres/0001_platform.sql:
-- same tables, same columns, dialect only where the engines differ (ids, booleans).
-- Times are BIGINT unix milliseconds in UTC; calendar dates are ISO 'YYYY-MM-DD' text.

CREATE TABLE unit_type (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level INTEGER NOT NULL,
    grassroots BOOLEAN NOT NULL DEFAULT FALSE,
    sort INTEGER NOT NULL
);

CREATE TABLE unit (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    type_code TEXT NOT NULL REFERENCES unit_type(code),
    parent_id BIGINT REFERENCES unit(id),
    issuer_code TEXT,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX unit_parent ON unit(parent_id);
CREATE INDEX unit_path ON unit(path);

CREATE TABLE board (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('board', 'subcommittee')),
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX board_unit ON board(unit_id);

CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    family_name TEXT NOT NULL,
    middle_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    birth_date TEXT,
    phone TEXT,
    email TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE membership (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES person(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    status TEXT NOT NULL CHECK (status IN ('official', 'probationary')),
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX membership_unit ON membership(unit_id);
CREATE INDEX membership_person ON membership(person_id);

CREATE TABLE term (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    ordinal TEXT NOT NULL,
    year_from INTEGER NOT NULL,
    year_to INTEGER NOT NULL,
    opened_on TEXT,
    closed_on TEXT
);
CREATE INDEX term_unit ON term(unit_id);

CREATE TABLE position (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES person(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    board_id BIGINT REFERENCES board(id),
    term_id BIGINT REFERENCES term(id),
    title TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX position_unit ON position(unit_id);
CREATE INDEX position_person ON position(person_id);

CREATE TABLE document (
    id INTEGER PRIMARY KEY,
    system TEXT NOT NULL CHECK (system IN ('party', 'state')),
    issuer_code TEXT NOT NULL,
    issuer_unit_id BIGINT REFERENCES unit(id),
    type_code TEXT NOT NULL,
    number TEXT NOT NULL,
    symbol TEXT NOT NULL,
    issued_on TEXT,
    subject TEXT NOT NULL,
    subject_fold TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX document_issued ON document(issued_on, id);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'secretary', 'member')),
    unit_id BIGINT REFERENCES unit(id),
    board_id BIGINT REFERENCES board(id),
    person_id BIGINT REFERENCES person(id),
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- id is the SHA-256 of the cookie value: a leaked table does not leak sessions.
CREATE TABLE session (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_by_user ON session(user_id);
CREATE INDEX session_expires ON session(expires_at);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_token_user ON api_token(user_id);

-- Login attempts per key ('p:<user>|<address>', 'ip:<address>', 'u:<user>') in a
-- fixed window; one row per key so an upsert counts atomically on both engines.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);

-- Append-only: the storage layer has no UPDATE or DELETE for it.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    ip TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_actor ON audit_log(actor_id, id);
CREATE INDEX audit_at ON audit_log(at);

-- Totals shown on pages come from here, updated in the writing transaction.
CREATE TABLE counter (
    key TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

INSERT INTO unit_type (code, name, level, grassroots, sort) VALUES
    ('dang_bo_tinh', 'Đảng bộ tỉnh', 1, FALSE, 1),
    ('cap_tren_co_so', 'Đảng bộ cấp trên cơ sở', 2, FALSE, 2),
    ('dang_bo_co_so', 'Đảng bộ cơ sở', 3, TRUE, 3),
    ('chi_bo_co_so', 'Chi bộ cơ sở', 3, TRUE, 4),
    ('dang_bo_bo_phan', 'Đảng bộ bộ phận', 4, FALSE, 5),
    ('chi_bo_truc_thuoc', 'Chi bộ trực thuộc', 4, FALSE, 6),
    ('to_dang', 'Tổ đảng', 5, FALSE, 7);
