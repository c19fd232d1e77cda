-- Workers are records with server-issued ids; the same steps as SQLite's 0005 (read it for
-- why). gen_random_uuid() is built into PostgreSQL 13 and later.
CREATE TABLE worker (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    team       TEXT,
    role       TEXT NOT NULL CHECK (role IN ('worker', 'supervisor')),
    regions    TEXT[] NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

INSERT INTO worker (id, name, team, role, regions, created_at, updated_at)
SELECT '6e6a6961-0ff1-7ce0-8000-000000000002', worker, team, 'supervisor', '{}', now(), now()
  FROM device WHERE id = '6e6a6961-0ff1-7ce0-8000-000000000001';

INSERT INTO worker (id, name, team, role, regions, created_at, updated_at)
SELECT gen_random_uuid(), w, t, 'worker', '{}', now(), now()
  FROM (SELECT worker AS w, team AS t FROM device
         WHERE id <> '6e6a6961-0ff1-7ce0-8000-000000000001'
        UNION SELECT worker, team FROM enrollment WHERE code_hash NOT LIKE 'office-code-%'
        UNION SELECT worker, team FROM outreach_record
        UNION SELECT owner_worker, owner_team FROM operation) AS pairs;

ALTER TABLE device ADD COLUMN worker_id UUID REFERENCES worker (id);
UPDATE device SET worker_id = CASE
    WHEN id = '6e6a6961-0ff1-7ce0-8000-000000000001' THEN '6e6a6961-0ff1-7ce0-8000-000000000002'
    ELSE (SELECT w.id FROM worker w
           WHERE w.name = device.worker AND w.team IS NOT DISTINCT FROM device.team
             AND w.id <> '6e6a6961-0ff1-7ce0-8000-000000000002')
END;
UPDATE worker SET role = 'supervisor'
 WHERE EXISTS (SELECT 1 FROM device d WHERE d.worker_id = worker.id AND d.role = 'supervisor');
UPDATE worker SET regions = (SELECT d.regions FROM device d WHERE d.worker_id = worker.id
                              ORDER BY d.enrolled_at DESC LIMIT 1)
 WHERE EXISTS (SELECT 1 FROM device d WHERE d.worker_id = worker.id);

ALTER TABLE enrollment ADD COLUMN worker_id UUID REFERENCES worker (id);
UPDATE enrollment SET worker_id = CASE
    WHEN code_hash LIKE 'office-code-%' THEN '6e6a6961-0ff1-7ce0-8000-000000000002'::uuid
    ELSE (SELECT w.id FROM worker w
           WHERE w.name = enrollment.worker AND w.team IS NOT DISTINCT FROM enrollment.team
             AND w.id <> '6e6a6961-0ff1-7ce0-8000-000000000002')
END;

ALTER TABLE outreach_record ADD COLUMN worker_id UUID REFERENCES worker (id);
UPDATE outreach_record SET worker_id = (
    SELECT w.id FROM worker w
     WHERE w.name = outreach_record.worker AND w.team IS NOT DISTINCT FROM outreach_record.team
     ORDER BY w.id = '6e6a6961-0ff1-7ce0-8000-000000000002' LIMIT 1);

ALTER TABLE operation ADD COLUMN owner_worker_id UUID REFERENCES worker (id);
UPDATE operation SET owner_worker_id = (
    SELECT w.id FROM worker w
     WHERE w.name = operation.owner_worker AND w.team IS NOT DISTINCT FROM operation.owner_team
     ORDER BY w.id = '6e6a6961-0ff1-7ce0-8000-000000000002' LIMIT 1);
DROP INDEX operation_owner_worker;
CREATE INDEX operation_owner_worker_id ON operation (owner_worker_id, seq);
