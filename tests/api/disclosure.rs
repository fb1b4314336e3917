//! Disclosure control that holds over time and across levels: a partner that keeps every
//! answer it got, from every read path, still cannot work out a small figure of a
//! sensitive indicator, whatever the order values are approved in.

use std::collections::BTreeMap;

use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::push::counts;
use crate::helpers::TestApp;

const BRANCH: &str = "216-CCTK";
const GBV: &str = "GBV_VICTIMS_SUPPORTED_PCT";

/// (area, sex) of one period.
type Key = (String, String);

/// A rate row: `numerator` victims helped of `denominator`.
fn rate(area: &str, sex: &str, numerator: f64, denominator: f64) -> Value {
    json!({ "indicatorCode": GBV, "areaCode": area, "period": "2024", "sex": sex,
            "value": (numerator / denominator * 1000.0).round() / 10.0,
            "numerator": numerator, "denominator": denominator })
}

/// The communes of Tân Yên (216) in 2024.
async fn communes(app: &TestApp, token: &str) -> Vec<String> {
    let data =
        app.data(token, r#"{ area(code: "216", validOn: "2024-06-30") { children { code } } }"#, json!({})).await;
    let children = data["area"]["children"].as_array().expect("children");
    children.iter().filter_map(|c| c["code"].as_str().map(str::to_owned)).collect()
}

/// Pushes rows and approves them: one day's work of the district's statistics office.
async fn approve_day(app: &TestApp, office: &str, rows: Vec<Value>) {
    let n = rows.len();
    assert_eq!(counts(&app.push(office, rows).await), (i64::try_from(n).expect("rows"), 0, 0, 0));
    let query = r#"{ observations(filter: { status: SUBMITTED }, first: 500) { edges { node { id } } } }"#;
    let data = app.data(office, query, json!({})).await;
    let ids: Vec<Value> =
        data["observations"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect();
    assert_eq!(ids.len(), n);
    app.approve(office, ids).await;
}

/// Every numerator a partner reads of 216 and its communes in 2024, by the observations
/// page, the cells and the CSV export, which must agree on every figure they show.
async fn partner_reads(app: &TestApp, partner: &str, areas: &[String]) -> BTreeMap<Key, f64> {
    let mut seen: BTreeMap<Key, f64> = BTreeMap::new();
    let note = |seen: &mut BTreeMap<Key, f64>, area: &str, sex: &str, numerator: Option<f64>, path: &str| {
        let sex = match sex {
            "F" | "FEMALE" => "F",
            "M" | "MALE" => "M",
            _ => "T",
        };
        if let Some(n) = numerator {
            let before = seen.insert((area.to_owned(), sex.to_owned()), n);
            assert!(before.is_none_or(|b| b == n), "{path} disagrees on {area} {sex}: {before:?} and {n}");
        }
    };
    let query = r#"query($a: [String!]) { observations(filter: { indicatorCode: "GBV_VICTIMS_SUPPORTED_PCT",
        areaCodes: $a, period: "2024" }, first: 500) { edges { node { area { code } sex numerator value suppressed } } } }"#;
    let data = app.data(partner, query, json!({ "a": areas })).await;
    for e in data["observations"]["edges"].as_array().expect("edges") {
        let n = &e["node"];
        assert_eq!(n["numerator"].is_null(), n["suppressed"] == true, "{n}");
        note(
            &mut seen,
            n["area"]["code"].as_str().unwrap_or(""),
            n["sex"].as_str().unwrap_or(""),
            n["numerator"].as_f64(),
            "observations",
        );
    }
    let query = r#"query($a: [String!]) { cells(indicatorCodes: ["GBV_VICTIMS_SUPPORTED_PCT"], areaCodes: $a,
        periods: ["2024"], sex: [FEMALE, MALE, TOTAL]) { area { code } sex numerator derived suppressed } }"#;
    let data = app.data(partner, query, json!({ "a": areas })).await;
    for c in data["cells"].as_array().expect("cells") {
        note(
            &mut seen,
            c["area"]["code"].as_str().unwrap_or(""),
            c["sex"].as_str().unwrap_or(""),
            c["numerator"].as_f64(),
            "cells",
        );
    }
    let (status, csv) =
        app.get_as(partner, "/api/v1/observations.csv?areaCode=216&includeDescendants=true&period=2024").await;
    assert_eq!(status, 200, "{csv}");
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        note(&mut seen, f[4], f[6], f[13].parse().ok(), "the export");
    }
    seen
}

/// What can be worked out from `known` by the sums a partner knows hold: total = female +
/// male in each unit, and the district = the sum of its communes for each sex.
fn worked_out(known: &mut BTreeMap<Key, f64>, communes: &[String]) {
    let mut sums: Vec<(Key, Vec<Key>)> = Vec::new();
    let key = |a: &str, s: &str| (a.to_owned(), s.to_owned());
    for area in communes.iter().map(String::as_str).chain(["216"]) {
        sums.push((key(area, "T"), vec![key(area, "F"), key(area, "M")]));
    }
    for sex in ["F", "M", "T"].iter().filter(|_| !communes.is_empty()) {
        sums.push((key("216", sex), communes.iter().map(|c| key(c, sex)).collect()));
    }
    loop {
        let mut learned = false;
        for (total, parts) in &sums {
            let unknown: Vec<&Key> = std::iter::once(total).chain(parts).filter(|k| !known.contains_key(*k)).collect();
            if let [only] = unknown[..] {
                let sum: f64 = parts.iter().filter_map(|p| known.get(p)).sum();
                let value = if only == total { sum } else { known[total] - sum };
                known.insert(only.clone(), value);
                learned = true;
            }
        }
        if !learned {
            return;
        }
    }
}

#[tokio::test]
async fn a_small_figure_approved_after_the_others_cannot_be_worked_out_from_earlier_answers() {
    let app = TestApp::seeded().await;
    let office = app.office_as(BRANCH);
    let partner = app.token(Role::Partner, None, Some("216"));
    let areas = vec!["216".to_owned()];
    // Day 1: the men (20 of 25 helped) and everyone (23 of 29); the women's figure is late.
    approve_day(&app, &office, vec![rate("216", "MALE", 20.0, 25.0), rate("216", "TOTAL", 23.0, 29.0)]).await;
    let mut known = partner_reads(&app, &partner, &areas).await;
    // 23 − 20 = 3 women: the men's figure is withheld before the women's arrives.
    assert_eq!(known.get(&("216".into(), "T".into())), Some(&23.0));
    assert_eq!(known.get(&("216".into(), "M".into())), None);

    // Day 2: the women, 3 of 4: small, withheld; the total stays shown.
    approve_day(&app, &office, vec![rate("216", "FEMALE", 3.0, 4.0)]).await;
    let today = partner_reads(&app, &partner, &areas).await;
    assert_eq!(today, known, "what was shown stays shown, nothing more");
    known.extend(today);
    worked_out(&mut known, &[]);
    assert_eq!(known.get(&("216".into(), "F".into())), None, "{known:?}");

    // Internal roles see every figure all along.
    let mine = partner_reads(&app, &office, &areas).await;
    assert_eq!(mine.get(&("216".into(), "F".into())), Some(&3.0));
}

#[tokio::test]
async fn a_district_less_its_visible_communes_does_not_give_a_hidden_commune_back() {
    let app = TestApp::seeded().await;
    let office = app.office_as(BRANCH);
    let partner = app.token(Role::Partner, None, Some("216"));
    let communes = communes(&app, &office).await;
    assert!(communes.len() > 3, "{communes:?}");
    let small = communes[0].clone();
    let mut areas = communes.clone();
    areas.push("216".into());
    // Every commune helped 10 of 12 victims but the first, 2 of 3 (small); the district is the sum.
    let n = communes.len() as f64;
    let district = 10.0 * (n - 1.0) + 2.0;
    let mut day_one: Vec<Value> = communes[1..].iter().map(|c| rate(c, "TOTAL", 10.0, 12.0)).collect();
    day_one.push(rate("216", "TOTAL", district, 12.0 * (n - 1.0) + 3.0));

    // Day 1: the district and every commune but the small one, whose figure would follow.
    approve_day(&app, &office, day_one).await;
    let mut known = partner_reads(&app, &partner, &areas).await;
    assert_eq!(known.get(&("216".into(), "T".into())), Some(&district));
    let hidden: Vec<&String> =
        communes[1..].iter().filter(|c| !known.contains_key(&((*c).clone(), "T".into()))).collect();
    assert_eq!(hidden.len(), 1, "one commune withheld in the small one's place: {hidden:?}");

    // Day 2: the small commune itself.
    approve_day(&app, &office, vec![rate(&small, "TOTAL", 2.0, 3.0)]).await;
    let today = partner_reads(&app, &partner, &areas).await;
    assert_eq!(today, known, "what was shown stays shown, nothing more");
    known.extend(today);
    worked_out(&mut known, &communes);
    assert_eq!(known.get(&(small.clone(), "T".into())), None, "{small} worked out: {known:?}");
}

#[tokio::test]
async fn values_approved_without_a_decision_are_withheld_until_the_start_up_decides_them() {
    use gender_data_hub::domain::disclosure::DisclosureRule;
    use gender_data_hub::service::disclosure::settle_pending;

    let app = TestApp::seeded().await;
    let office = app.office_as(BRANCH);
    let partner = app.token(Role::Partner, None, Some("216"));
    let areas = vec!["216".to_owned()];
    approve_day(&app, &office, vec![rate("216", "MALE", 20.0, 25.0), rate("216", "FEMALE", 30.0, 40.0)]).await;
    assert_eq!(partner_reads(&app, &partner, &areas).await.len(), 2);
    let rule = DisclosureRule::default();
    assert_eq!(settle_pending(app.store.as_ref(), &rule).await.expect("settle").0, 0, "decided when approved");

    // As if loaded straight into the database: approved, never decided.
    app.execute(&["DELETE FROM releases", "DELETE FROM disclosure_settlements"]).await;
    assert!(partner_reads(&app, &partner, &areas).await.is_empty(), "withheld until decided");
    let (years, settled) = settle_pending(app.store.as_ref(), &rule).await.expect("settle");
    assert_eq!((years, settled.values, settled.newly_released), (1, 2, 2));
    assert_eq!(partner_reads(&app, &partner, &areas).await.len(), 2);
    assert_eq!(settle_pending(app.store.as_ref(), &rule).await.expect("settle").0, 0);
}
