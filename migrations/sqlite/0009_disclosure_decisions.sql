-- Disclosure decisions (công bố): the revisions of sensitive values whose figures partners
-- have been shown. A figure once shown stays shown (a partner keeps what it read), so the
-- rule deciding the others reads these; every read path shows a partner a sensitive
-- figure only when its revision is here.
CREATE TABLE releases (
    observation_id INTEGER NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL,
    released_at    TEXT NOT NULL,
    PRIMARY KEY (observation_id, revision)
);

-- When each sensitive indicator's year (the values the rule decides together) was last
-- decided: a year with a value approved since is decided again at start-up.
CREATE TABLE disclosure_settlements (
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    year           TEXT NOT NULL,
    settled_at     TEXT NOT NULL,
    PRIMARY KEY (indicator_code, year)
);
