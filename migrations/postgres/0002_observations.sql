-- Reported values and their append-only history. A value not broken down by age group or
-- ethnicity stores '_T' (SDMX's "total"), so the natural key can be a plain UNIQUE.

CREATE TABLE observations (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_code     TEXT NOT NULL REFERENCES indicators (code),
    area_code          TEXT NOT NULL REFERENCES areas (code),
    period             TEXT NOT NULL CHECK (char_length(period) BETWEEN 4 AND 7),
    sex                TEXT NOT NULL CHECK (sex IN ('FEMALE', 'MALE', 'TOTAL')),
    age_group          TEXT NOT NULL DEFAULT '_T',
    ethnicity          TEXT NOT NULL DEFAULT '_T',
    value              DOUBLE PRECISION NOT NULL,
    numerator          DOUBLE PRECISION,
    denominator        DOUBLE PRECISION CHECK (denominator IS NULL OR denominator > 0),
    status             TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED')),
    revision           INTEGER NOT NULL CHECK (revision >= 1),
    source_agency_code TEXT REFERENCES agencies (code),
    reported_by        TEXT NOT NULL,
    reported_at        TIMESTAMPTZ NOT NULL,
    comment            TEXT,
    -- the last approved revision, which partners keep seeing while a newer one is reviewed
    approved_revision  INTEGER,
    UNIQUE (indicator_code, area_code, period, sex, age_group, ethnicity)
);
CREATE INDEX observations_area_period ON observations (area_code, period);

CREATE TABLE observation_revisions (
    observation_id BIGINT NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL CHECK (revision >= 1),
    value          DOUBLE PRECISION NOT NULL,
    numerator      DOUBLE PRECISION,
    denominator    DOUBLE PRECISION,
    status         TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED')),
    comment        TEXT,
    reported_by    TEXT NOT NULL,
    reported_at    TIMESTAMPTZ NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    TIMESTAMPTZ,
    review_reason  TEXT,
    PRIMARY KEY (observation_id, revision)
);
