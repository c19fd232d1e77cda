-- The directory's places (njia-store/src/places.rs): neighbourhoods, camps, estates and towns
-- named in the services' addresses, each at the median point of its services, for the Find
-- screen's place box. A derived table: the store rebuilds it from `service` whenever
-- `place_state.stale` is 1, and never reads it while it is.
CREATE TABLE place (
    rowid       INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    context     TEXT,                   -- the address part after the name, else the country code
    key         TEXT NOT NULL,          -- name folded: lower case, no accents, words split by one space
    context_key TEXT NOT NULL,          -- context folded the same way ('' without one)
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    services    INTEGER NOT NULL
) STRICT;

-- One row. 1 until the table has been built from the directory as it now is: the triggers
-- below set it in the same transaction as any change of a service's address, position or
-- country, so a list of places can never outlive the directory it was made from.
CREATE TABLE place_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    stale INTEGER NOT NULL CHECK (stale IN (0, 1))
) STRICT;
INSERT INTO place_state(id, stale) VALUES (1, 1);

-- When already stale (a bulk import), each trigger is one primary-key lookup and no write.
CREATE TRIGGER place_stale_ai AFTER INSERT ON service WHEN new.address IS NOT NULL BEGIN
    UPDATE place_state SET stale = 1 WHERE id = 1 AND stale = 0;
END;

CREATE TRIGGER place_stale_ad AFTER DELETE ON service WHEN old.address IS NOT NULL BEGIN
    UPDATE place_state SET stale = 1 WHERE id = 1 AND stale = 0;
END;

CREATE TRIGGER place_stale_au AFTER UPDATE ON service
WHEN old.address IS NOT new.address
  OR (new.address IS NOT NULL
      AND (old.lat <> new.lat OR old.lon <> new.lon
           OR json_extract(old.detail, '$.country') IS NOT json_extract(new.detail, '$.country')))
BEGIN
    UPDATE place_state SET stale = 1 WHERE id = 1 AND stale = 0;
END;
