-- Njia server on PostgreSQL, first schema.
-- Same behaviour as the SQLite backend (the conformance suite of njia-server-database holds
-- both to it). No table holds a personal name of a migrant: counts and pseudonymous codes only.
-- Tokens and enrolment codes are stored only as hashes.
-- Documents written by devices and imports are JSON, not JSONB: JSONB refuses a "\u0000" in
-- a string, and one such character in a CHW's notes must not stop their phone from syncing.

-- The one global sequence of the change feed. Every write transaction that produces changes
-- takes the next values with `UPDATE change_counter SET value = value + n RETURNING value`:
-- the row lock serialises writers until they commit, so sequence values become visible in
-- order and a device's cursor never skips a change (a plain SEQUENCE would hand out values
-- whose transactions may commit out of order).
CREATE TABLE change_counter (
    id    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (TRUE, 0);

-- The directory: one row per service id, removed ones kept as tombstones for the feed.
CREATE TABLE service (
    id               TEXT COLLATE "C" PRIMARY KEY,  -- ordered by bytes, like SQLite
    doc              JSON NOT NULL,           -- njia_model::service::Service, normalised
    country          TEXT,                    -- ISO 3166 alpha-2, copied from doc for the feed
    -- Where the service left, and when: country code (or '*' when it had none, so was
    -- everyone's) -> the change_seq of the move. A device of that region whose cursor is
    -- before it gets the service as removed, however many moves happened since.
    left_at          JSONB NOT NULL DEFAULT '{}',
    version          BIGINT NOT NULL,
    change_seq       BIGINT NOT NULL UNIQUE,
    removed          BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- One-time enrolment codes, by hash.
CREATE TABLE enrollment (
    code_hash  TEXT PRIMARY KEY,
    worker     TEXT NOT NULL,
    team       TEXT,
    role       TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),
    regions    TEXT[] NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    device_id  UUID
);

CREATE TABLE device (
    id           UUID PRIMARY KEY,
    worker       TEXT NOT NULL,
    team         TEXT,
    role         TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),
    regions      TEXT[] NOT NULL,
    label        TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_seen_at TIMESTAMPTZ,
    acked_idx    BIGINT NOT NULL DEFAULT 0   -- highest idx stored; the log has no gaps
);

-- Outreach records (sessions and referrals) in their merged state: the operations applied
-- field by field by HLC (njia_model::ops::apply_patch).
CREATE TABLE outreach_record (
    id         UUID PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('session', 'referral')),
    device_id  UUID NOT NULL REFERENCES device (id), -- the device that created it
    worker     TEXT NOT NULL,                -- owner: the creating device's worker and team
    team       TEXT,
    version    BIGINT NOT NULL,              -- operations that changed it
    doc        JSON NOT NULL,
    clocks     JSON NOT NULL,                -- per field, the HLC of its last write
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Every operation every device pushed: the audit trail and the outreach half of the feed.
CREATE TABLE operation (
    device_id    UUID NOT NULL REFERENCES device (id),
    idx          BIGINT NOT NULL CHECK (idx > 0),
    op_id        UUID NOT NULL UNIQUE,
    hlc          TEXT NOT NULL,
    kind         TEXT NOT NULL,
    entity_id    UUID NOT NULL,
    payload      JSON NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,        -- the server's clock, phones' are not trusted
    seq          BIGINT NOT NULL UNIQUE,
    -- The record's owner when the operation arrived; the feed sends it to their devices.
    owner_worker TEXT NOT NULL,
    owner_team   TEXT,
    -- False when the pusher may not write that record: kept for audit, not merged, not fed.
    applied      BOOLEAN NOT NULL,
    PRIMARY KEY (device_id, idx)
);
CREATE INDEX operation_owner_worker ON operation (owner_worker, seq);
CREATE INDEX operation_owner_team ON operation (owner_team, seq);
CREATE INDEX operation_entity ON operation (entity_id);

-- CHWs' proposals to fix the directory, reviewed by the office.
CREATE TABLE correction (
    id               UUID PRIMARY KEY,        -- chosen by the device: the idempotency key
    service_id       TEXT COLLATE "C" NOT NULL REFERENCES service (id),
    field            TEXT NOT NULL,
    value            TEXT,
    note             TEXT NOT NULL,
    based_on_version BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    device_id        UUID NOT NULL REFERENCES device (id),
    worker           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'accepted', 'rejected')),
    -- Based on an older version than the service had when the correction arrived.
    stale            BOOLEAN NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    decided_at       TIMESTAMPTZ
);
CREATE INDEX correction_status ON correction (status, received_at);
