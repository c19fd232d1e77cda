-- Sync protocol 2 (docs/sync.md, "Versions").
--
-- Refused operations: kept in the log (it has no gaps, the office reviews them, nothing is
-- lost) with why, never merged nor fed. JSON {"code": …, "reason": …}; the operations a
-- device was not allowed to write before this step were refused for that reason.
ALTER TABLE outreach_op ADD COLUMN refusal TEXT;
UPDATE outreach_op
   SET refusal = '{"code":"forbidden","reason":"this device may not change that record: it belongs to another worker''s records"}'
 WHERE applied = 0;

-- The history of the global sequence in stretches, each with a random tag, sealed after the
-- writes that took its values. A device keeps the tag of its cursor's stretch; a copy of the
-- database restored from before that stretch was sealed does not have it, so the device's
-- cursor is recognised as belonging to a lost history (njia_server_database::Database::
-- history_tag). Values handed out before this step form one stretch.
CREATE TABLE history (
    first_seq INTEGER PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    tag       TEXT NOT NULL
) STRICT;
INSERT INTO history (first_seq, last_seq, tag)
SELECT 1, value, lower(hex(randomblob(8))) FROM sequence WHERE value > 0;

-- Forks: a restored copy of a device's store takes a new device id for the same worker; its
-- log up to the fork's base is the parent's. fork_id is the device's idempotency key.
ALTER TABLE device ADD COLUMN forked_from TEXT REFERENCES device(id);
ALTER TABLE device ADD COLUMN fork_id TEXT;
ALTER TABLE device ADD COLUMN fork_base INTEGER;
CREATE UNIQUE INDEX device_fork ON device(forked_from, fork_id) WHERE fork_id IS NOT NULL;
