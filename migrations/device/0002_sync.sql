-- Sync with the server (DESIGN §3, docs/sync.md).
-- Enrolment (server, token, worker…), the feed cursor and the sync status live in `meta`,
-- which is encrypted with the rest of the file.

-- Operations received from the change feed: outreach written by other devices this device
-- may see (the worker's old phone, a supervisor). Insert-or-ignore on (device_id, idx), so a
-- page received twice is applied once. `applied` is 0 while the record an operation changes
-- has not arrived yet (an edit whose create is on a later page); such operations wait here
-- and are applied as soon as it does.
CREATE TABLE received_op (
    device_id   TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    op_id       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    applied     INTEGER NOT NULL DEFAULT 0 CHECK (applied IN (0, 1)),
    PRIMARY KEY (device_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX received_op_waiting ON received_op(entity_id) WHERE applied = 0;

-- A CHW's proposal to fix a directory entry: never an edit of `service`. The id is the
-- idempotency key on the server; `based_on_version` is the version of the service the CHW
-- was looking at; `acked` turns 1 when the server says it holds the correction. No foreign
-- key to `service`: a correction stays (and is still sent) if the service is removed.
CREATE TABLE correction (
    id               TEXT PRIMARY KEY,
    service_id       TEXT NOT NULL,
    field            TEXT NOT NULL CHECK (field IN ('name', 'phone', 'address', 'opening_hours',
                         'email', 'website', 'fees', 'documents', 'languages', 'categories',
                         'closed')),
    value            TEXT,
    note             TEXT NOT NULL DEFAULT '',
    based_on_version INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    acked            INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1))
) STRICT;
CREATE INDEX correction_pending ON correction(created_at) WHERE acked = 0;
CREATE INDEX correction_service ON correction(service_id);
