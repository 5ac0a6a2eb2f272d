-- Org tree over time (issue #3). Kept in lock-step with ../postgres/0002_org.sql.
-- `unit` keeps each unit's identity and its latest name and place; every
-- dated state lives in unit_version, so the tree can be read as of any day.
CREATE TABLE unit_version (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES unit(id),
    path TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX unit_version_unit ON unit_version(unit_id, valid_from);
CREATE INDEX unit_version_path ON unit_version(path, valid_from);
INSERT INTO unit_version (unit_id, name, parent_id, path, valid_from, valid_to)
    SELECT id, name, parent_id, path, valid_from, valid_to FROM unit;

-- A restructuring decision: what changed, from when, and on whose authority.
CREATE TABLE unit_event (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'rename', 'transfer', 'dissolve')),
    effective_on TEXT NOT NULL,
    decision TEXT NOT NULL,
    summary TEXT NOT NULL,
    members_moved BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Lineage edges. role: 'successor' (from ended, to carries on its members
-- and obligations), 'same' (rename or transfer: one unit, new state).
CREATE TABLE unit_lineage (
    event_id BIGINT NOT NULL REFERENCES unit_event(id),
    from_unit_id BIGINT NOT NULL REFERENCES unit(id),
    to_unit_id BIGINT REFERENCES unit(id),
    role TEXT NOT NULL CHECK (role IN ('successor', 'same'))
);
CREATE INDEX unit_lineage_from ON unit_lineage(from_unit_id);
CREATE INDEX unit_lineage_to ON unit_lineage(to_unit_id);

ALTER TABLE membership ADD COLUMN event_id BIGINT REFERENCES unit_event(id);
CREATE INDEX membership_unit_from ON membership(unit_id, valid_from);

-- Sort key: collation keys of the name parts in the configured order (see
-- trienkhai_core::name); dedupe_key: what makes a re-import find the same person.
ALTER TABLE person ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN dedupe_key TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN card_no TEXT;
ALTER TABLE person ADD COLUMN gender TEXT;
ALTER TABLE person ADD COLUMN address TEXT;
ALTER TABLE person ADD COLUMN admitted_on TEXT;
ALTER TABLE person ADD COLUMN official_on TEXT;
CREATE INDEX person_sort ON person(sort_key, id);
CREATE INDEX person_dedupe ON person(dedupe_key);

ALTER TABLE term ADD COLUMN appointed BOOLEAN NOT NULL DEFAULT FALSE;
