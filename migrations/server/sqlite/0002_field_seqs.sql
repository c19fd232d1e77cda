-- Field-level deltas of the directory (docs/sync.md, "Patches"; njia_server_database::delta).
-- `base_seq`: the sequence value from which a device needs the service whole (its insertion,
-- or its return after a removal). `field_seqs`: JSON object, field name to the sequence
-- value of its last change since then. A device whose cursor is at or past base_seq is sent
-- only the fields changed after its cursor.
ALTER TABLE service ADD COLUMN base_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service ADD COLUMN field_seqs TEXT NOT NULL DEFAULT '{}';
-- Rows from before this step have no field history: a device behind their last change gets
-- them whole, as it did before.
UPDATE service SET base_seq = change_seq;
