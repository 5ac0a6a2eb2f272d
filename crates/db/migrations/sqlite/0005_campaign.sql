-- The cascade (issue #5). Kept in lock-step with ../postgres/0005_campaign.sql.
-- A campaign (đợt học tập, quán triệt, triển khai) covers documents, is set
-- by a plan of the committee and owes one obligation per target unit.
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    title TEXT NOT NULL,
    plan_document_id BIGINT REFERENCES document(id),
    launched_on TEXT NOT NULL,
    -- Deadlines as dates, and as typed ("trong 30 ngày", "quý I/2026").
    session_due TEXT NOT NULL,
    programme_due TEXT NOT NULL,
    report_due TEXT NOT NULL,
    due_text TEXT NOT NULL,
    remind_days BIGINT NOT NULL DEFAULT 3,
    -- The days reminders start: each deadline less remind_days.
    session_remind TEXT NOT NULL,
    programme_remind TEXT NOT NULL,
    report_remind TEXT NOT NULL,
    -- Once locked, no report for the period is taken or corrected.
    locked_at BIGINT,
    -- The committee's own report upward, once submitted.
    report_document_id BIGINT REFERENCES document(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX campaign_unit ON campaign(unit_id, id);

CREATE TABLE campaign_document (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    document_id BIGINT NOT NULL REFERENCES document(id),
    PRIMARY KEY (campaign_id, document_id)
);

-- state: 0 not started, 1 session scheduled, 2 session held, 3 action
-- programme issued, 4 reported. `path` follows the unit's current place so
-- its roll-up rows can follow it. An obligation carried to a successor
-- (merge, split) stays for history with active = FALSE.
CREATE TABLE obligation (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    path TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    carried_to BIGINT REFERENCES obligation(id),
    state BIGINT NOT NULL DEFAULT 0,
    roll BIGINT NOT NULL DEFAULT 0,
    scheduled_on TEXT,
    held_on TEXT,
    held_to TEXT,
    form TEXT CHECK (form IN ('in_person', 'online', 'mixed')),
    points BIGINT,
    in_scope BIGINT NOT NULL DEFAULT 0,
    present BIGINT NOT NULL DEFAULT 0,
    absent_excused BIGINT NOT NULL DEFAULT 0,
    absent_unexcused BIGINT NOT NULL DEFAULT 0,
    makeup BIGINT NOT NULL DEFAULT 0,
    non_members BIGINT NOT NULL DEFAULT 0,
    reflections BIGINT NOT NULL DEFAULT 0,
    programme_document_id BIGINT REFERENCES document(id),
    note TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    -- A đảng bộ cơ sở may collect its chi bộ's reports (obligation_part)
    -- and send their sum, instead of reporting as a whole.
    collect BOOLEAN NOT NULL DEFAULT FALSE,
    -- Report version: 0 before the first submission; also the stale-form check.
    version BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX obligation_unit ON obligation(campaign_id, unit_id) WHERE active;
CREATE INDEX obligation_board ON obligation(campaign_id, path);
CREATE INDEX obligation_by_unit ON obligation(unit_id, campaign_id);

-- Every submitted report and correction, whole: a submitted version is never changed.
CREATE TABLE report_version (
    obligation_id BIGINT NOT NULL REFERENCES obligation(id),
    version BIGINT NOT NULL,
    figures TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    user_id BIGINT,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (obligation_id, version)
);

-- A chi bộ's part of its đảng bộ's report (figures as JSON, see Figures).
CREATE TABLE obligation_part (
    obligation_id BIGINT NOT NULL REFERENCES obligation(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    figures TEXT NOT NULL,
    user_id BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (obligation_id, unit_id)
);

CREATE TABLE obligation_file (
    id INTEGER PRIMARY KEY,
    obligation_id BIGINT NOT NULL REFERENCES obligation(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    store_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX obligation_file_obligation ON obligation_file(obligation_id);

-- A report being written: saved as the secretary types, per account.
CREATE TABLE report_draft (
    obligation_id BIGINT NOT NULL REFERENCES obligation(id),
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (obligation_id, user_id)
);

-- Roll-ups per campaign and per unit of every level, kept in the writing
-- transaction. A unit rolls up along its current path, from the campaign's
-- committee down (a committee since dissolved keeps its own row on top). Counts of units are cumulative by state (held counts units
-- that held their session, whatever came after).
CREATE TABLE campaign_tally (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    -- The row above in this campaign's roll-up (the committee's has none).
    parent_id BIGINT,
    units BIGINT NOT NULL DEFAULT 0,
    scheduled BIGINT NOT NULL DEFAULT 0,
    held BIGINT NOT NULL DEFAULT 0,
    programme BIGINT NOT NULL DEFAULT 0,
    reported BIGINT NOT NULL DEFAULT 0,
    late BIGINT NOT NULL DEFAULT 0,
    roll BIGINT NOT NULL DEFAULT 0,
    in_scope BIGINT NOT NULL DEFAULT 0,
    present BIGINT NOT NULL DEFAULT 0,
    absent_excused BIGINT NOT NULL DEFAULT 0,
    absent_unexcused BIGINT NOT NULL DEFAULT 0,
    makeup BIGINT NOT NULL DEFAULT 0,
    non_members BIGINT NOT NULL DEFAULT 0,
    reflections BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, unit_id)
);
CREATE INDEX campaign_tally_parent ON campaign_tally(campaign_id, parent_id);

-- One row per reminder ever due: the unique key is what makes a reminder
-- go out once, whichever instance claims it first.
CREATE TABLE reminder (
    id INTEGER PRIMARY KEY,
    obligation_id BIGINT NOT NULL REFERENCES obligation(id),
    kind TEXT NOT NULL CHECK (kind IN ('session', 'programme', 'report', 'overdue')),
    claimed_at BIGINT NOT NULL,
    batch TEXT NOT NULL,
    UNIQUE (obligation_id, kind)
);

CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    at BIGINT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notification_user ON notification(user_id, id);

-- E-mail waiting to go out; a sender claims a row before sending it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    claimed_by TEXT,
    sent_at BIGINT,
    error TEXT
);
CREATE INDEX reminder_batch ON reminder(batch);
CREATE INDEX mail_outbox_waiting ON mail_outbox(sent_at, id);
