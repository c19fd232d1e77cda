-- Workers are records with server-issued ids (docs/sync.md, "Workers"): name, team, role and
-- regions are attributes of the record; devices, records and operations point at it, and
-- ownership, visibility and edit rights key on the id, never on a name. The name and team
-- columns beside each id stay, as what people reading lists see.
CREATE TABLE worker (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    team       TEXT,
    role       TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),
    regions    TEXT NOT NULL,               -- JSON array of ISO 3166 codes; [] = every region
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- The office's own device belongs to the office's worker (njia_server_database::
-- OFFICE_WORKER_ID), never matched by name.
INSERT INTO worker (id, name, team, role, regions, created_at, updated_at)
SELECT '6e6a6961-0ff1-7ce0-8000-000000000002', worker, team, 'supervisor', '[]',
       strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'), strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
  FROM device WHERE id = '6e6a6961-0ff1-7ce0-8000-000000000001';

-- Existing data: before this step a worker was their name and team, so each pair held
-- anywhere becomes one worker, with a random (version 4) id.
INSERT INTO worker (id, name, team, role, regions, created_at, updated_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
             substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
             substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       w, t, 'worker', '[]',
       strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'), strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
  FROM (SELECT worker AS w, team AS t FROM device
         WHERE id <> '6e6a6961-0ff1-7ce0-8000-000000000001'
        UNION SELECT worker, team FROM enrollment WHERE code_hash NOT LIKE 'office-code-%'
        UNION SELECT worker, team FROM outreach_record
        UNION SELECT owner_worker, owner_team FROM outreach_op);

ALTER TABLE device ADD COLUMN worker_id TEXT REFERENCES worker (id);
UPDATE device SET worker_id = CASE
    WHEN id = '6e6a6961-0ff1-7ce0-8000-000000000001' THEN '6e6a6961-0ff1-7ce0-8000-000000000002'
    ELSE (SELECT w.id FROM worker w
           WHERE w.name = device.worker AND w.team IS device.team
             AND w.id <> '6e6a6961-0ff1-7ce0-8000-000000000002')
END;
-- A worker with a supervisor's device was a supervisor; their regions are their devices'.
UPDATE worker SET role = 'supervisor'
 WHERE EXISTS (SELECT 1 FROM device d WHERE d.worker_id = worker.id AND d.role = 'supervisor');
UPDATE worker SET regions = (SELECT d.regions FROM device d WHERE d.worker_id = worker.id
                              ORDER BY d.enrolled_at DESC LIMIT 1)
 WHERE EXISTS (SELECT 1 FROM device d WHERE d.worker_id = worker.id);

ALTER TABLE enrollment ADD COLUMN worker_id TEXT REFERENCES worker (id);
UPDATE enrollment SET worker_id = CASE
    WHEN code_hash LIKE 'office-code-%' THEN '6e6a6961-0ff1-7ce0-8000-000000000002'
    ELSE (SELECT w.id FROM worker w
           WHERE w.name = enrollment.worker AND w.team IS enrollment.team
             AND w.id <> '6e6a6961-0ff1-7ce0-8000-000000000002')
END;

-- A record's owner is its creating device's worker (its session's, for a referral: the
-- operations say whose it is).
ALTER TABLE outreach_record ADD COLUMN worker_id TEXT REFERENCES worker (id);
UPDATE outreach_record SET worker_id = (
    SELECT w.id FROM worker w
     WHERE w.name = outreach_record.worker AND w.team IS outreach_record.team
     ORDER BY w.id = '6e6a6961-0ff1-7ce0-8000-000000000002' LIMIT 1);

ALTER TABLE outreach_op ADD COLUMN owner_worker_id TEXT REFERENCES worker (id);
UPDATE outreach_op SET owner_worker_id = (
    SELECT w.id FROM worker w
     WHERE w.name = outreach_op.owner_worker AND w.team IS outreach_op.owner_team
     ORDER BY w.id = '6e6a6961-0ff1-7ce0-8000-000000000002' LIMIT 1);
DROP INDEX outreach_op_worker;
CREATE INDEX outreach_op_worker_id ON outreach_op (owner_worker_id, seq);
