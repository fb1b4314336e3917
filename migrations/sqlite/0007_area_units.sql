-- A unit is a code valid over an interval: the 2025 reform gave old codes to new units
-- (`24` was Bắc Giang until 2025-06-30 and is Bắc Ninh from 2025-07-01), so areas get an
-- id of their own and everything that named an area by code now names the unit. Every
-- existing row keeps the unit it named (each code named one unit until now); values never
-- move. SQLite changes a key only by rebuilding the tables, which needs foreign keys off
-- (dropping `observations` would otherwise cascade to its revisions): the store runs
-- migrations so, and checks the keys once they ran (the procedure SQLite documents).

CREATE TABLE new_areas (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('NATION', 'PROVINCE', 'DISTRICT', 'COMMUNE')),
    parent_id   INTEGER REFERENCES areas (id),
    valid_from  TEXT CHECK (valid_from IS NULL OR date(valid_from) = valid_from),
    valid_to    TEXT CHECK (valid_to IS NULL OR date(valid_to) = valid_to),
    -- centroid and surface, where the map's dataset gives them
    lat         REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
    lon         REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
    area_km2    REAL CHECK (area_km2 IS NULL OR area_km2 >= 0),
    -- the name folded for search: lower case, no diacritics, no unit-type word
    search_name TEXT NOT NULL DEFAULT '',
    source      TEXT,
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
INSERT INTO new_areas (id, code, name, level, valid_from, valid_to, source)
    SELECT ROW_NUMBER() OVER (ORDER BY code), code, name, level, valid_from, valid_to, source FROM areas;
UPDATE new_areas SET parent_id = (SELECT p.id FROM areas a JOIN new_areas p ON p.code = a.parent_code
                                  WHERE a.code = new_areas.code);
CREATE TABLE new_area_successions (
    predecessor_id INTEGER NOT NULL REFERENCES areas (id),
    successor_id   INTEGER NOT NULL REFERENCES areas (id),
    effective_on   TEXT NOT NULL CHECK (date(effective_on) = effective_on),
    -- false when only part of the predecessor went to the successor (a divided commune)
    whole          INTEGER NOT NULL DEFAULT 1 CHECK (whole IN (0, 1)),
    source         TEXT,
    PRIMARY KEY (predecessor_id, successor_id),
    CHECK (predecessor_id <> successor_id)
);
INSERT INTO new_area_successions (predecessor_id, successor_id, effective_on, source)
    SELECT p.id, s.id, x.effective_on, x.source FROM area_successions x
    JOIN new_areas p ON p.code = x.predecessor_code JOIN new_areas s ON s.code = x.successor_code;

CREATE TABLE new_agencies (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('STATISTICS', 'POLICE', 'HEALTH', 'EDUCATION', 'LABOUR',
                'HOME_AFFAIRS', 'CULTURE', 'JUSTICE', 'FINANCE_PLANNING', 'ETHNIC_AFFAIRS',
                'PEOPLE_COMMITTEE', 'MASS_ORGANISATION', 'OTHER')),
    area_id INTEGER REFERENCES areas (id),
    source  TEXT,
    note    TEXT
);
INSERT INTO new_agencies (code, name, kind, area_id, source, note)
    SELECT g.code, g.name, g.kind, a.id, g.source, g.note FROM agencies g LEFT JOIN new_areas a ON a.code = g.area_code;

CREATE TABLE new_plans (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    document_number TEXT,
    title           TEXT NOT NULL,
    issuer_code     TEXT REFERENCES agencies (code),
    area_id         INTEGER NOT NULL REFERENCES areas (id),
    start_year      INTEGER NOT NULL,
    end_year        INTEGER NOT NULL,
    issued_on       TEXT CHECK (issued_on IS NULL OR date(issued_on) = issued_on),
    parent_code     TEXT REFERENCES plans (code),
    source          TEXT,
    note            TEXT,
    CHECK (start_year <= end_year),
    CHECK (parent_code IS NULL OR parent_code <> code)
);
INSERT INTO new_plans (id, code, document_number, title, issuer_code, area_id, start_year, end_year,
                       issued_on, parent_code, source, note)
    SELECT p.id, p.code, p.document_number, p.title, p.issuer_code, a.id, p.start_year, p.end_year,
           p.issued_on, p.parent_code, p.source, p.note
    FROM plans p JOIN new_areas a ON a.code = p.area_code;

CREATE TABLE new_observations (
    id                 INTEGER PRIMARY KEY,
    indicator_code     TEXT NOT NULL REFERENCES indicators (code),
    area_id            INTEGER NOT NULL REFERENCES areas (id),
    period             TEXT NOT NULL CHECK (length(period) BETWEEN 4 AND 7),
    sex                TEXT NOT NULL CHECK (sex IN ('FEMALE', 'MALE', 'TOTAL')),
    age_group          TEXT NOT NULL DEFAULT '_T',
    ethnicity          TEXT NOT NULL DEFAULT '_T',
    value              REAL NOT NULL,
    numerator          REAL,
    denominator        REAL CHECK (denominator IS NULL OR denominator > 0),
    status             TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED')),
    revision           INTEGER NOT NULL CHECK (revision >= 1),
    source_agency_code TEXT REFERENCES agencies (code),
    reported_by        TEXT NOT NULL,
    reported_at        TEXT NOT NULL,
    comment            TEXT,
    -- the last approved revision, which partners keep seeing while a newer one is reviewed
    approved_revision  INTEGER,
    UNIQUE (indicator_code, area_id, period, sex, age_group, ethnicity)
);
INSERT INTO new_observations (id, indicator_code, area_id, period, sex, age_group, ethnicity, value,
                              numerator, denominator, status, revision, source_agency_code, reported_by,
                              reported_at, comment, approved_revision)
    SELECT o.id, o.indicator_code, a.id, o.period, o.sex, o.age_group, o.ethnicity, o.value,
           o.numerator, o.denominator, o.status, o.revision, o.source_agency_code, o.reported_by,
           o.reported_at, o.comment, o.approved_revision
    FROM observations o JOIN new_areas a ON a.code = o.area_code;

DROP TABLE observations;
DROP TABLE plans;
DROP TABLE agencies;
DROP TABLE area_successions;
DROP TABLE areas;
ALTER TABLE new_areas RENAME TO areas;
ALTER TABLE new_area_successions RENAME TO area_successions;
ALTER TABLE new_agencies RENAME TO agencies;
ALTER TABLE new_plans RENAME TO plans;
ALTER TABLE new_observations RENAME TO observations;

-- One unit per code and start; the loader refuses overlapping validities of one code.
CREATE UNIQUE INDEX areas_code_start ON areas (code, COALESCE(valid_from, ''));
CREATE INDEX areas_parent ON areas (parent_id);
CREATE INDEX areas_search ON areas (search_name);
CREATE INDEX area_successions_successor ON area_successions (successor_id);
CREATE INDEX agencies_area ON agencies (area_id);
CREATE INDEX plans_area ON plans (area_id);
CREATE INDEX plans_parent ON plans (parent_code);
CREATE INDEX observations_area_period ON observations (area_id, period);
CREATE INDEX observations_status ON observations (status);

-- Every unit a unit reaches: itself, the units under it, and the units whose territory it
-- took over whole, with everything under those. Written by the seed from the map (its
-- only writer), so a token's reach is one indexed read whatever the size of the map.
CREATE TABLE area_reach (
    ancestor_id INTEGER NOT NULL REFERENCES areas (id),
    unit_id     INTEGER NOT NULL REFERENCES areas (id),
    PRIMARY KEY (ancestor_id, unit_id)
);
INSERT INTO area_reach (ancestor_id, unit_id)
    WITH RECURSIVE below (ancestor_id, unit_id) AS (
        SELECT id, id FROM areas
        UNION SELECT b.ancestor_id, a.id FROM areas a JOIN below b ON a.parent_id = b.unit_id)
    SELECT ancestor_id, unit_id FROM below;
