-- 50 values of a province and everything under it in a year (the admin's view of the
-- partner's request), with their indicators and areas.
SELECT o.id, o.indicator_code, o.area_id, oa.code AS area_code, o.period, o.sex, o.age_group, o.ethnicity, o.value, o.numerator, o.denominator, o.status, o.revision, o.source_agency_code, o.reported_by, o.reported_at, o.comment FROM observations o JOIN areas oa ON oa.id = o.area_id WHERE o.area_id IN (SELECT unit_id FROM area_reach WHERE ancestor_id = (SELECT id FROM areas WHERE code = '24' AND valid_from = DATE '2025-07-01')) AND o.period = '2026' ORDER BY o.id LIMIT 51;
SELECT * FROM indicators;
