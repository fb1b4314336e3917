-- The gender gap of one indicator in one commune and year: its female and male totals.
SELECT id FROM areas WHERE code = '07246' AND valid_from = DATE '2025-07-01';
SELECT o.sex, o.value, o.numerator, o.denominator FROM observations o WHERE o.indicator_code = 'EM_PRIMARY_COMPLETION_PCT' AND o.area_id = (SELECT id FROM areas WHERE code = '07246' AND valid_from = DATE '2025-07-01') AND o.period = '2026' AND o.sex IN ('FEMALE', 'MALE') AND o.age_group = '_T' AND o.ethnicity = '_T' AND o.status <> 'REJECTED';
