-- Where each service's data came from, indexed so the about screen can list the sources
-- (for the attribution their licences ask for) in a few index seeks instead of reading and
-- sorting the whole directory.
CREATE INDEX service_source ON service (json_extract(detail, '$.source'))
    WHERE json_extract(detail, '$.source') IS NOT NULL;
