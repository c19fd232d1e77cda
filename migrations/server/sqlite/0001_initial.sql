-- Njia server store (SQLite), first schema.
-- Files here are never edited once landed: a change is a new file.
-- Times are RFC 3339 UTC text with microseconds (fixed width, so text order is time order);
-- ids are hyphenated UUID text; tokens and enrolment codes are stored only as hashes.

-- The one global sequence (DESIGN §3): every directory change and every stored operation
-- takes the next value inside its write transaction, and writers serialise on this row, so
-- values become visible in order and a device's cursor never skips a change.
CREATE TABLE sequence (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO sequence (id, value) VALUES (1, 0);

-- The directory: each service in its latest version; a removed service stays as a tombstone
-- so the removal goes down the feed. `change_seq` is the sequence value of its last change.
CREATE TABLE service (
    id                 TEXT PRIMARY KEY,
    doc                TEXT NOT NULL,       -- JSON of njia_model::service::Service, normalised
    country            TEXT,                -- copy of doc.country, for the region filter
    version            INTEGER NOT NULL,
    change_seq         INTEGER NOT NULL UNIQUE,
    removed            INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    -- JSON array of every country the service was listed under before its current one
    -- ('' for "no country", which every device sees): a device of any of them may hold it
    -- and must be told when it leaves, however many moves happened since it last synced.
    previous_countries TEXT NOT NULL DEFAULT '[]',
    updated_at         TEXT NOT NULL
) STRICT;

-- One-time enrolment codes, by hash.
CREATE TABLE enrollment (
    code_hash  TEXT PRIMARY KEY,
    worker     TEXT NOT NULL,
    team       TEXT,
    role       TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),
    regions    TEXT NOT NULL,               -- JSON array of ISO 3166 codes; [] = every region
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    device_id  TEXT
) STRICT;

CREATE TABLE device (
    id           TEXT PRIMARY KEY,
    worker       TEXT NOT NULL,
    team         TEXT,
    role         TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),
    regions      TEXT NOT NULL,             -- JSON array of ISO 3166 codes; [] = every region
    label        TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    revoked_at   TEXT,
    last_seen_at TEXT,
    acked_idx    INTEGER NOT NULL DEFAULT 0 -- highest idx of its log held, no gap before it
) STRICT;

-- Outreach records (sessions and referrals): their operations merged field by field.
-- `doc` holds the fields, `clocks` the HLC stamp of each field's last write; the owner is
-- the worker and team of the device that created the record.
CREATE TABLE outreach_record (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('session', 'referral')),
    device_id  TEXT NOT NULL REFERENCES device(id),
    worker     TEXT NOT NULL,
    team       TEXT,
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    clocks     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Every operation devices pushed, in the order of the global sequence (the audit trail and
-- the outreach half of the change feed). `owner_*` is the owner of the record it concerns;
-- `applied` = 0 for an operation the device was not allowed to make (kept for audit, never
-- sent to other devices).
CREATE TABLE outreach_op (
    seq          INTEGER PRIMARY KEY,
    device_id    TEXT NOT NULL REFERENCES device(id),
    idx          INTEGER NOT NULL CHECK (idx > 0),
    op_id        TEXT NOT NULL UNIQUE,
    hlc          TEXT NOT NULL,
    kind         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    owner_worker TEXT NOT NULL,
    owner_team   TEXT,
    applied      INTEGER NOT NULL CHECK (applied IN (0, 1)),
    UNIQUE (device_id, idx)
) STRICT;
CREATE INDEX outreach_op_worker ON outreach_op(owner_worker, seq);
CREATE INDEX outreach_op_team ON outreach_op(owner_team, seq);
CREATE INDEX outreach_op_entity ON outreach_op(entity_id);

-- Corrections CHWs proposed, and what the office decided.
CREATE TABLE correction (
    id               TEXT PRIMARY KEY,
    service_id       TEXT NOT NULL REFERENCES service(id),
    field            TEXT NOT NULL,
    value            TEXT,
    note             TEXT NOT NULL,
    based_on_version INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    device_id        TEXT NOT NULL REFERENCES device(id),
    worker           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'accepted', 'rejected')),
    stale            INTEGER NOT NULL CHECK (stale IN (0, 1)),
    received_at      TEXT NOT NULL,
    decided_at       TEXT
) STRICT;
CREATE INDEX correction_status ON correction(status, received_at);
