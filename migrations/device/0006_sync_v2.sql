-- Sync protocol 2 (docs/sync.md, "Versions").

-- Operations and corrections the server holds but refused, with why: JSON
-- {"code": …, "reason": …, "at": RFC 3339}. A refused operation counts as acknowledged (it
-- blocks nothing after it); the CHW sees the reason (`njia status`, the app's sync screen).
ALTER TABLE op_log ADD COLUMN refusal TEXT;
ALTER TABLE correction ADD COLUMN refusal TEXT;

-- Services held when the device learnt that the server's history is not the one it read
-- (the server was restored from a copy): the feed is read again from 0, every service that
-- comes down is crossed off, and those left when the feed ends are no longer in the
-- server's directory and are removed.
CREATE TABLE reconcile_service (
    id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
