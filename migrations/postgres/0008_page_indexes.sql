-- Pages of values are read in id order (the cursor is an id). Of one indicator: a seek on
-- (indicator_code, id) finds its first values however sparse it is among the others. Of a
-- caller's area: a seek per unit on (area_id, id), or on (indicator_code, area_id, id) for
-- one indicator's page, then the first of those, instead of walking every id from the
-- start past the rest of the country's values. Each seek reads only the index.
CREATE INDEX observations_indicator_id ON observations (indicator_code, id);
CREATE INDEX observations_area_id ON observations (area_id, id);
CREATE INDEX observations_indicator_area_id ON observations (indicator_code, area_id, id);
-- (area_id, id) serves every read (area_id, period) did: the period is filtered within a
-- unit's few thousand values; one index fewer for every push to maintain.
DROP INDEX observations_area_period;
