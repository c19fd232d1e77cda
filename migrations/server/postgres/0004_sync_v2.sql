-- Sync protocol 2 (docs/sync.md, "Versions"); the same steps as SQLite's 0004.
--
-- Refused operations: kept in the log with why, never merged nor fed.
ALTER TABLE operation ADD COLUMN refusal JSON;
UPDATE operation
   SET refusal = '{"code":"forbidden","reason":"this device may not change that record: it belongs to another worker''s records"}'
 WHERE NOT applied;

-- The history of the change counter in stretches with random tags, sealed after the writes
-- that took their values (njia_server_database::Database::history_tag).
CREATE TABLE history (
    first_seq BIGINT PRIMARY KEY,
    last_seq  BIGINT NOT NULL,
    tag       TEXT NOT NULL
);
INSERT INTO history (first_seq, last_seq, tag)
SELECT 1, value, md5(random()::text || clock_timestamp()::text)
  FROM change_counter WHERE value > 0;

-- Forks of devices whose store was restored from an older copy.
ALTER TABLE device ADD COLUMN forked_from UUID REFERENCES device (id);
ALTER TABLE device ADD COLUMN fork_id UUID;
ALTER TABLE device ADD COLUMN fork_base BIGINT;
CREATE UNIQUE INDEX device_fork ON device (forked_from, fork_id) WHERE fork_id IS NOT NULL;
