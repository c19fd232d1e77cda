-- Conflicts (docs/sync.md, "Office edits and conflicts"): the feed cursor this device had when
-- it wrote each operation, i.e. which values of others were on the device. Sent with the
-- operation, it lets the server tell an edit of a value the CHW saw (a correction) from one
-- made without seeing it (a conflict), however long the operation waited to be pushed.
-- NULL for operations written before this step: the server then uses the cursor of the
-- request that carries them.
ALTER TABLE op_log ADD COLUMN seen_cursor INTEGER;
