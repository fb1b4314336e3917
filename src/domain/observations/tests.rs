//! Push validation, row by row: what each rule accepts and the error it answers with.

use chrono::NaiveDate;

use super::*;
use crate::domain::areas::AreaLevel;

fn indicator(code: &str, unit: Unit, sex_disaggregated: bool, dimensions: Vec<Dimension>) -> Indicator {
    Indicator {
        code: code.into(),
        name_vi: code.into(),
        name_en: code.into(),
        unit,
        direction: None,
        sex_disaggregated,
        dimensions,
        sensitive: false,
        sdg_code: None,
        source: None,
    }
}

/// The units of the tests: 24 (id 1), 216 under it (id 2, ended 2025-06-30), 14 (id 3,
/// outside the caller's reach).
fn id_of(code: &str) -> AreaId {
    match code {
        "24" => 1,
        "216" => 2,
        _ => 3,
    }
}

fn area(code: &str, parent: Option<&str>, valid_to: Option<&str>) -> Area {
    Area {
        id: id_of(code),
        code: code.into(),
        name: code.into(),
        level: if parent.is_some() { AreaLevel::District } else { AreaLevel::Province },
        parent_id: parent.map(id_of),
        valid_from: None,
        valid_to: valid_to.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date")),
        location: None,
        area_km2: None,
        source: None,
    }
}

struct World {
    indicators: HashMap<String, Indicator>,
    holders: HashMap<String, Vec<Area>>,
    ancestors: HashMap<AreaId, Area>,
}

fn world() -> World {
    let indicators = [
        indicator("SRB", Unit::RatioPer100, false, vec![]),
        indicator("COMPLETION", Unit::Percent, true, vec![Dimension::Ethnicity]),
        indicator("VICTIMS", Unit::Count, true, vec![Dimension::AgeGroup]),
        indicator("CURRICULUM", Unit::Boolean, false, vec![]),
    ]
    .into_iter()
    .map(|i| (i.code.clone(), i))
    .collect();
    let areas = [area("24", None, None), area("216", Some("24"), Some("2025-06-30")), area("14", None, None)];
    let holders = areas.iter().map(|a| (a.code.clone(), vec![a.clone()])).collect();
    let ancestors = areas.into_iter().map(|a| (a.id, a)).collect();
    World { indicators, holders, ancestors }
}

fn row(indicator: &str, area: &str, period: &str, sex: Sex, value: f64) -> ObservationInput {
    ObservationInput {
        indicator_code: indicator.into(),
        area_code: area.into(),
        period: period.into(),
        sex,
        age_group: None,
        ethnicity: None,
        value,
        numerator: None,
        denominator: None,
        comment: None,
    }
}

fn run(
    rows: &[ObservationInput],
    assigned: Option<&HashSet<(String, AreaId)>>,
) -> (Vec<ValidObservation>, Vec<ImportError>) {
    let w = world();
    run_in(&w, rows, assigned)
}

fn run_in(
    w: &World,
    rows: &[ObservationInput],
    assigned: Option<&HashSet<(String, AreaId)>>,
) -> (Vec<ValidObservation>, Vec<ImportError>) {
    let in_reach = |id: AreaId| id != id_of("14");
    let named = HashMap::new();
    let rules = PushRules {
        indicators: &w.indicators,
        holders: &w.holders,
        ancestors: &w.ancestors,
        named: &named,
        in_reach: &in_reach,
        assigned,
    };
    validate(rows.to_vec(), &rules)
}

#[test]
fn a_code_held_twice_names_the_unit_of_the_period() {
    let mut w = world();
    let mut new = area("24", None, None);
    new.id = 9;
    new.valid_from = NaiveDate::from_ymd_opt(2025, 7, 1);
    let old = w.holders.get_mut("24").expect("24");
    old[0].valid_to = NaiveDate::from_ymd_opt(2025, 6, 30);
    old.push(new);
    let rows = [
        row("SRB", "24", "2024", Sex::Total, 110.0),
        row("SRB", "24", "2025-S1", Sex::Total, 111.0),
        row("SRB", "24", "2025", Sex::Total, 112.0),
        row("SRB", "24", "2026-Q1", Sex::Total, 113.0),
        row("SRB", "216", "2026", Sex::Total, 114.0),
    ];
    let (valid, errors) = run_in(&w, &rows, None);
    let units: Vec<AreaId> = valid.iter().map(|v| v.key.area_id).collect();
    assert_eq!(units, vec![1, 1, 9, 9]);
    assert_eq!(codes(&errors), vec![(5, "AREA_NOT_VALID_FOR_PERIOD")]);
    assert!(errors[0].message.contains("2025-06-30"), "{}", errors[0].message);
}

fn codes(errors: &[ImportError]) -> Vec<(usize, &'static str)> {
    errors.iter().map(|e| (e.row, e.code.as_str())).collect()
}

#[test]
fn good_rows_pass_in_canonical_form() {
    let mut r = row("COMPLETION", "216", "2024", Sex::Female, 96.5);
    r.ethnicity = Some("_T".into());
    r.numerator = Some(193.0);
    r.denominator = Some(200.0);
    let (valid, errors) = run(&[r, row("SRB", "24", "2024-S1", Sex::Total, 112.4)], None);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(valid.len(), 2);
    assert_eq!(valid[0].key.ethnicity, "_T");
    assert_eq!(valid[0].key.age_group, "_T");
    assert_eq!(valid[1].row, 2);
}

#[test]
fn each_bad_field_has_its_code() {
    let mut bad_dimension = row("SRB", "24", "2024", Sex::Total, 110.0);
    bad_dimension.age_group = Some("15-19".into());
    let mut bad_dimension_code = row("COMPLETION", "24", "2024", Sex::Male, 90.0);
    bad_dimension_code.ethnicity = Some("Mông; DROP".into());
    let mut mismatch = row("COMPLETION", "24", "2024", Sex::Male, 90.0);
    mismatch.numerator = Some(50.0);
    mismatch.denominator = Some(100.0);
    let mut half = row("COMPLETION", "24", "2024", Sex::Total, 50.0);
    half.numerator = Some(50.0);
    let rows = [
        row("NOPE", "24", "2024", Sex::Total, 1.0),
        row("SRB", "999", "2024", Sex::Total, 110.0),
        row("SRB", "24", "2024-13", Sex::Total, 110.0),
        row("SRB", "216", "2026", Sex::Total, 110.0),
        row("SRB", "24", "2023", Sex::Female, 110.0),
        bad_dimension,
        row("COMPLETION", "24", "2022", Sex::Female, 101.0),
        row("VICTIMS", "24", "2022", Sex::Female, -1.0),
        row("VICTIMS", "24", "2023", Sex::Female, 2.5),
        mismatch,
        row("SRB", "14", "2024", Sex::Total, 110.0),
        bad_dimension_code,
        half,
        row("CURRICULUM", "24", "2024", Sex::Total, 2.0),
        row("SRB", "24", "2021", Sex::Total, f64::NAN),
    ];
    let (valid, errors) = run(&rows, None);
    assert!(valid.is_empty(), "{valid:?}");
    assert_eq!(
        codes(&errors),
        [
            (1, "UNKNOWN_INDICATOR"),
            (2, "UNKNOWN_AREA"),
            (3, "BAD_PERIOD"),
            (4, "AREA_NOT_VALID_FOR_PERIOD"),
            (5, "BAD_SEX"),
            (6, "BAD_DIMENSION"),
            (7, "BAD_VALUE"),
            (8, "BAD_VALUE"),
            (9, "BAD_VALUE"),
            (10, "NUMERATOR_MISMATCH"),
            (11, "OUT_OF_AREA"),
            (12, "BAD_DIMENSION"),
            (13, "BAD_VALUE"),
            (14, "BAD_VALUE"),
            (15, "BAD_VALUE"),
        ]
    );
    assert_eq!(errors[0].field.as_deref(), Some("indicatorCode"));
    assert_eq!(errors[3].message, "no unit held code 216 in 2026: 216 216 (… – 2025-06-30)");
}

#[test]
fn a_rounded_rate_matches_its_numerator() {
    let mut r = row("COMPLETION", "24", "2024", Sex::Female, 66.7);
    r.numerator = Some(2.0);
    r.denominator = Some(3.0);
    assert!(run(&[r], None).1.is_empty());
    // 851/2000 = 42.55, reported rounded half up.
    let mut half = row("COMPLETION", "24", "2024", Sex::Male, 42.6);
    half.numerator = Some(851.0);
    half.denominator = Some(2000.0);
    assert!(run(&[half], None).1.is_empty());
}

#[test]
fn the_same_key_twice_rejects_both_rows() {
    let rows = [
        row("SRB", "24", "2024", Sex::Total, 110.0),
        row("SRB", "216", "2024", Sex::Total, 111.0),
        row("SRB", "24", "2024", Sex::Total, 112.0),
    ];
    let (valid, errors) = run(&rows, None);
    assert_eq!(codes(&errors), [(1, "DUPLICATE_ROW"), (3, "DUPLICATE_ROW")]);
    assert_eq!(errors[0].message, "the same indicator, area, period, sex and breakdown as row 3");
    assert_eq!(valid.iter().map(|v| v.row).collect::<Vec<_>>(), [2]);
}

#[test]
fn female_plus_male_must_make_the_total_of_a_count() {
    let rows = [
        row("VICTIMS", "24", "2024", Sex::Female, 7.0),
        row("VICTIMS", "24", "2024", Sex::Male, 2.0),
        row("VICTIMS", "24", "2024", Sex::Total, 10.0),
        row("VICTIMS", "216", "2024", Sex::Female, 3.0),
        row("VICTIMS", "216", "2024", Sex::Male, 1.0),
        row("VICTIMS", "216", "2024", Sex::Total, 4.0),
    ];
    let (valid, errors) = run(&rows, None);
    assert_eq!(codes(&errors), [(3, "INCONSISTENT_TOTAL")]);
    assert_eq!(valid.len(), 5);
}

#[test]
fn an_agency_pushes_only_what_a_covering_plan_assigns_it() {
    // Assigned SRB by the province's plan (area 24): allowed for 24 and for district 216.
    let assigned: HashSet<(String, AreaId)> = [("SRB".to_owned(), id_of("24"))].into_iter().collect();
    let rows = [
        row("SRB", "216", "2024", Sex::Total, 110.0),
        row("SRB", "24", "2024", Sex::Total, 110.0),
        row("COMPLETION", "216", "2024", Sex::Female, 90.0),
    ];
    let (valid, errors) = run(&rows, Some(&assigned));
    assert_eq!(codes(&errors), [(3, "NOT_ASSIGNED")]);
    assert_eq!(valid.len(), 2);

    // Assigned by the district's plan only: not allowed for the province.
    let assigned: HashSet<(String, AreaId)> = [("SRB".to_owned(), id_of("216"))].into_iter().collect();
    let (_, errors) = run(&rows[..2], Some(&assigned));
    assert_eq!(codes(&errors), [(2, "NOT_ASSIGNED")]);
}
