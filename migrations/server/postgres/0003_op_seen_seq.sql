-- Conflicts (docs/sync.md, "Conflicts"; njia_server_database::conflicts): the feed cursor a
-- device sent with each operation it pushed, i.e. the operations it had received before.
-- A value replaced by an operation whose device had not received it is a conflict; one it
-- had received is a correction. Operations from before this step count as having seen
-- nothing, so what they replaced is listed.
ALTER TABLE operation ADD COLUMN seen_seq BIGINT NOT NULL DEFAULT 0;
