-- What a target is measured on (issue 11, item 5): the total, women, men, or each sex
-- separately (met only when every sex meets it). Existing targets are on the total, as
-- progress read them until now; measured_on_source cites the document's line that says
-- otherwise ("002 line 57: «…»").
ALTER TABLE targets ADD COLUMN measured_on TEXT NOT NULL DEFAULT 'TOTAL'
    CHECK (measured_on IN ('TOTAL', 'FEMALE', 'MALE', 'EACH_SEX'));
ALTER TABLE targets ADD COLUMN measured_on_source TEXT;
