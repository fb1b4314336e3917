-- Areas, agencies, the indicator catalogue and plans with their objectives, targets,
-- assignments and reporting deadlines. Enum columns hold the GraphQL enum names.

CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('NATION', 'PROVINCE', 'DISTRICT', 'COMMUNE')),
    parent_code TEXT REFERENCES areas (code),
    valid_from  TEXT CHECK (valid_from IS NULL OR date(valid_from) = valid_from),
    valid_to    TEXT CHECK (valid_to IS NULL OR date(valid_to) = valid_to),
    source      TEXT,
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to),
    CHECK (parent_code IS NULL OR parent_code <> code)
);
CREATE INDEX areas_parent ON areas (parent_code);

-- A boundary change: values under the predecessor roll up into the successor.
CREATE TABLE area_successions (
    predecessor_code TEXT NOT NULL REFERENCES areas (code),
    successor_code   TEXT NOT NULL REFERENCES areas (code),
    effective_on     TEXT NOT NULL CHECK (date(effective_on) = effective_on),
    source           TEXT,
    PRIMARY KEY (predecessor_code, successor_code),
    CHECK (predecessor_code <> successor_code)
);
CREATE INDEX area_successions_successor ON area_successions (successor_code);

CREATE TABLE agencies (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('STATISTICS', 'POLICE', 'HEALTH', 'EDUCATION', 'LABOUR',
                  'HOME_AFFAIRS', 'CULTURE', 'JUSTICE', 'FINANCE_PLANNING', 'ETHNIC_AFFAIRS',
                  'PEOPLE_COMMITTEE', 'MASS_ORGANISATION', 'OTHER')),
    area_code TEXT REFERENCES areas (code),
    source    TEXT,
    note      TEXT
);
CREATE INDEX agencies_area ON agencies (area_code);

CREATE TABLE indicators (
    code              TEXT PRIMARY KEY,
    name_vi           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    unit              TEXT NOT NULL CHECK (unit IN ('PERCENT', 'RATIO_PER_100', 'PER_1000',
                          'PER_100000', 'TIMES', 'COUNT', 'BOOLEAN')),
    direction         TEXT CHECK (direction IN ('HIGHER_IS_BETTER', 'LOWER_IS_BETTER')),
    sex_disaggregated INTEGER NOT NULL CHECK (sex_disaggregated IN (0, 1)),
    -- comma-separated subset of age_group, ethnicity
    dimensions        TEXT NOT NULL DEFAULT '',
    sensitive         INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
    sdg_code          TEXT,
    source            TEXT
);

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    document_number TEXT,
    title           TEXT NOT NULL,
    issuer_code     TEXT REFERENCES agencies (code),
    area_code       TEXT NOT NULL REFERENCES areas (code),
    start_year      INTEGER NOT NULL,
    end_year        INTEGER NOT NULL,
    issued_on       TEXT CHECK (issued_on IS NULL OR date(issued_on) = issued_on),
    parent_code     TEXT REFERENCES plans (code),
    source          TEXT,
    note            TEXT,
    CHECK (start_year <= end_year),
    CHECK (parent_code IS NULL OR parent_code <> code)
);
CREATE INDEX plans_area ON plans (area_code);
CREATE INDEX plans_parent ON plans (parent_code);

CREATE TABLE reporting_deadlines (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    period_kind TEXT NOT NULL CHECK (period_kind IN ('MONTHLY', 'QUARTERLY', 'SEMIANNUAL', 'ANNUAL')),
    due_day     INTEGER NOT NULL CHECK (due_day BETWEEN 1 AND 31),
    due_month   INTEGER NOT NULL CHECK (due_month BETWEEN 1 AND 12),
    source      TEXT,
    UNIQUE (plan_id, period_kind, due_month, due_day)
);

CREATE TABLE objectives (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number  INTEGER NOT NULL CHECK (number > 0),
    title   TEXT NOT NULL,
    domain  TEXT NOT NULL CHECK (domain IN ('POLITICS', 'ECONOMY_LABOUR', 'FAMILY_GBV', 'HEALTH',
                'EDUCATION', 'INFORMATION_COMMUNICATION', 'OTHER')),
    source  TEXT,
    note    TEXT,
    UNIQUE (plan_id, number)
);

CREATE TABLE targets (
    id             INTEGER PRIMARY KEY,
    objective_id   INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    code           TEXT NOT NULL,
    text           TEXT NOT NULL,
    indicator_code TEXT REFERENCES indicators (code),
    comparator     TEXT CHECK (comparator IN ('AT_LEAST', 'MORE_THAN', 'AT_MOST', 'LESS_THAN',
                       'EQUAL', 'ABOUT', 'ACHIEVED')),
    value          REAL,
    target_year    INTEGER,
    source         TEXT,
    note           TEXT,
    UNIQUE (objective_id, code),
    -- a value means nothing without a comparator, and ACHIEVED takes no value
    CHECK (value IS NULL OR (comparator IS NOT NULL AND comparator <> 'ACHIEVED'))
);
CREATE INDEX targets_indicator ON targets (indicator_code);

CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    target_id   INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    role        TEXT NOT NULL CHECK (role IN ('LEAD', 'SUPPORT')),
    scope       TEXT,
    source      TEXT,
    note        TEXT,
    UNIQUE (target_id, agency_code, role)
);
CREATE INDEX assignments_agency ON assignments (agency_code);
