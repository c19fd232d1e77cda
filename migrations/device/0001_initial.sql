-- Njia device store, first schema.
-- Directory rows come from the server or an import and are never written by the CHW.
-- Outreach rows are written through the operation log (op_log) in the same transaction.
-- No table holds a personal name of a migrant: counts and pseudonymous codes only.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One service at one location. Filter columns are packed as bit masks so the near-me
-- query can test them without reading the row (see service_geo).
CREATE TABLE service (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    organization  TEXT,
    address       TEXT,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    categories    TEXT NOT NULL,          -- comma-separated taxonomy codes
    languages     TEXT NOT NULL,          -- comma-separated ISO 639 codes
    cat_mask      INTEGER NOT NULL,       -- bit i = taxonomy::CATEGORIES[i]
    lang_mask     INTEGER NOT NULL,       -- bits from the language table
    flags         INTEGER NOT NULL,       -- 1 free, 2 no documents, 4 interpreter, 8 migrant friendly, 16 mobile
    opening_hours TEXT,
    timezone      TEXT,
    detail        TEXT NOT NULL,          -- JSON of the remaining fields (phone, fees, documents…)
    version       INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
) STRICT;

-- Each language seen in the directory gets a bit of service.lang_mask; bit 62 is shared
-- by every language beyond the 62nd and then needs an exact check.
CREATE TABLE language (
    code TEXT PRIMARY KEY,
    bit  INTEGER NOT NULL
) STRICT;

-- R*Tree over service points (32-bit float boxes, rounded outwards), and beside it a compact
-- copy of what the near-me walk checks: exact position and filter masks. The walk orders
-- candidates by their box and reads service_point only for those it has to decide on.
CREATE VIRTUAL TABLE service_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);

CREATE TABLE service_point (
    rowid     INTEGER PRIMARY KEY,
    lat       REAL NOT NULL,
    lon       REAL NOT NULL,
    cat_mask  INTEGER NOT NULL,
    lang_mask INTEGER NOT NULL,
    flags     INTEGER NOT NULL
) STRICT;

-- Full-text index over names, organisations and addresses; accents and case folded.
CREATE VIRTUAL TABLE service_fts USING fts5(
    name, organization, address,
    content = 'service', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2'
);
-- Relevance weighs a match in the name above the organisation, and both above the address.
INSERT INTO service_fts(service_fts, rank) VALUES ('rank', 'bm25(10.0, 3.0, 1.0)');

CREATE TRIGGER service_ai AFTER INSERT ON service BEGIN
    INSERT INTO service_fts(rowid, name, organization, address)
    VALUES (new.rowid, new.name, new.organization, new.address);
    INSERT INTO service_geo(id, min_lat, max_lat, min_lon, max_lon)
    VALUES (new.rowid, new.lat, new.lat, new.lon, new.lon);
    INSERT INTO service_point(rowid, lat, lon, cat_mask, lang_mask, flags)
    VALUES (new.rowid, new.lat, new.lon, new.cat_mask, new.lang_mask, new.flags);
END;

CREATE TRIGGER service_ad AFTER DELETE ON service BEGIN
    INSERT INTO service_fts(service_fts, rowid, name, organization, address)
    VALUES ('delete', old.rowid, old.name, old.organization, old.address);
    DELETE FROM service_geo WHERE id = old.rowid;
    DELETE FROM service_point WHERE rowid = old.rowid;
END;

CREATE TRIGGER service_au AFTER UPDATE ON service BEGIN
    INSERT INTO service_fts(service_fts, rowid, name, organization, address)
    VALUES ('delete', old.rowid, old.name, old.organization, old.address);
    INSERT INTO service_fts(rowid, name, organization, address)
    VALUES (new.rowid, new.name, new.organization, new.address);
    UPDATE service_geo
       SET min_lat = new.lat, max_lat = new.lat, min_lon = new.lon, max_lon = new.lon
     WHERE id = new.rowid;
    UPDATE service_point
       SET lat = new.lat, lon = new.lon, cat_mask = new.cat_mask,
           lang_mask = new.lang_mask, flags = new.flags
     WHERE rowid = new.rowid;
END;

-- Outreach sessions. `doc` holds the fields of the session file as JSON and `clocks` the HLC
-- stamp of the last write of each field, so edits from the device and from a supervisor
-- merge field by field. Columns beside them are copies for listing and sorting.
CREATE TABLE outreach_session (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    started_utc TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'final', 'voided')),
    version     INTEGER NOT NULL,
    doc         TEXT NOT NULL,
    clocks      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX outreach_session_started ON outreach_session(started_utc);

-- Referrals, with or without a session. The client is a pseudonymous code inside `doc`.
CREATE TABLE referral (
    id           TEXT PRIMARY KEY,
    session_id   TEXT REFERENCES outreach_session(id),
    service_id   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('issued', 'completed', 'not_completed')),
    follow_up_on TEXT,
    version      INTEGER NOT NULL,
    doc          TEXT NOT NULL,
    clocks       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX referral_session ON referral(session_id);
CREATE INDEX referral_status ON referral(status, follow_up_on);

-- This device's operation log (DESIGN §3): idx counts up from 1 with no gaps; each entry is
-- written in the same transaction as the row change it describes.
CREATE TABLE op_log (
    idx        INTEGER PRIMARY KEY,
    device_id  TEXT NOT NULL,
    op_id      TEXT NOT NULL UNIQUE,
    hlc        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX op_log_entity ON op_log(entity_id);
