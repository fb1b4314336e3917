-- A page of 100 values of one indicator, anywhere (the admin's view): the first 101 by id
-- (one more tells whether a next page exists), then the areas they name.
SELECT o.id, o.indicator_code, o.area_id, oa.code AS area_code, o.period, o.sex, o.age_group, o.ethnicity, o.value, o.numerator, o.denominator, o.status, o.revision, o.source_agency_code, o.reported_by, o.reported_at, o.comment FROM observations o JOIN areas oa ON oa.id = o.area_id WHERE o.indicator_code = 'WOMEN_IN_MANAGEMENT_PCT' ORDER BY o.id LIMIT 101;
SELECT * FROM areas WHERE id IN (SELECT o.area_id FROM observations o WHERE o.indicator_code = 'WOMEN_IN_MANAGEMENT_PCT' ORDER BY o.id LIMIT 101);
