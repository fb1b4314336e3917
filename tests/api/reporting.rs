//! Reporting status: whether each assigned agency's values arrived by the plan's deadline.

use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const STATUS: &str = r#"query($period: String!) { plan(code: "tan-yen-bdg-2021-2025") {
  reportingStatus(period: $period) { agency { code } period dueOn status
    indicators { indicator { code } role status firstReportedAt } } } }"#;

fn total(indicator: &str, period: &str, value: f64) -> Value {
    json!({ "indicatorCode": indicator, "areaCode": "216", "period": period, "sex": "TOTAL", "value": value })
}

async fn status(app: &TestApp, token: &str, period: &str) -> Vec<Value> {
    let data = app.data(token, STATUS, json!({ "period": period })).await;
    data["plan"]["reportingStatus"].as_array().cloned().expect("reportingStatus")
}

fn of<'a>(reports: &'a [Value], agency: &str) -> &'a Value {
    reports.iter().find(|r| r["agency"]["code"] == agency).unwrap_or_else(|| panic!("no {agency} in {reports:?}"))
}

/// Backdates every revision of a value, as if it had been pushed then.
async fn pushed_on(app: &TestApp, indicator: &str, period: &str, at: &str) {
    app.execute(&[&format!(
        "UPDATE observation_revisions SET reported_at = '{at}' WHERE observation_id IN \
         (SELECT id FROM observations WHERE indicator_code = '{indicator}' AND period = '{period}')"
    )])
    .await;
}

#[tokio::test]
async fn each_assigned_agency_is_on_time_late_or_missing_against_the_plans_deadline() {
    let app = TestApp::seeded().await;
    let office = app.office();
    let rows = json!([
        total("WOMEN_KEY_LEADER_AGENCIES_PCT", "2024", 30.0),
        total("SEX_RATIO_AT_BIRTH", "2024", 112.0),
        total("MATERNAL_MORTALITY_RATIO", "2024", 40.0),
        total("ADOLESCENT_BIRTH_RATE", "2024", 20.0),
        total("EM_PRIMARY_COMPLETION_PCT", "2024", 99.0),
    ]);
    let summary = app.push(&office, rows).await;
    assert_eq!((&summary["created"], &summary["rejected"]), (&json!(5), &json!(0)), "{summary}");
    // Nội vụ's value came on 28 November; Y tế's sex ratio on 1 December at 23:00 in Hà Nội
    // (16:00 UTC), its other two today; Giáo dục's one value was rejected.
    pushed_on(&app, "WOMEN_KEY_LEADER_AGENCIES_PCT", "2024", "2024-11-28 03:00:00+00:00").await;
    pushed_on(&app, "SEX_RATIO_AT_BIRTH", "2024", "2024-12-01 16:00:00+00:00").await;
    let id = app.observation_ids(&office, json!({ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT" })).await[0].clone();
    app.reject(&office, json!([id]), "wrong year").await;

    let reports = status(&app, &office, "2024").await;
    let agencies: Vec<&str> = reports.iter().filter_map(|r| r["agency"]["code"].as_str()).collect();
    assert_eq!(agencies, vec!["216-CCTK", "216-GDDT", "216-LDTBXH", "216-NV", "216-VHTT", "216-YTE"]);
    assert!(reports.iter().all(|r| r["dueOn"] == "2024-12-01" && r["period"] == "2024"), "{reports:?}");

    let nv = of(&reports, "216-NV");
    assert_eq!(nv["status"], "ON_TIME");
    assert_eq!(nv["indicators"][0]["indicator"]["code"], "WOMEN_KEY_LEADER_AGENCIES_PCT");
    assert_eq!(nv["indicators"][0]["role"], "LEAD");
    assert_eq!(nv["indicators"][0]["firstReportedAt"], "2024-11-28T03:00:00+00:00");

    let health = of(&reports, "216-YTE");
    assert_eq!(health["status"], "LATE");
    let by_indicator: Vec<(&str, &str)> = health["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| (i["indicator"]["code"].as_str().unwrap_or_default(), i["status"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        by_indicator,
        vec![
            ("ADOLESCENT_BIRTH_RATE", "LATE"),
            ("MATERNAL_MORTALITY_RATIO", "LATE"),
            ("SEX_RATIO_AT_BIRTH", "ON_TIME")
        ]
    );
    // A rejected value has not arrived.
    assert_eq!(of(&reports, "216-GDDT")["status"], "MISSING");
    assert_eq!(of(&reports, "216-LDTBXH")["status"], "MISSING");

    // The second half is due with the annual report; a year far ahead is not due yet.
    assert!(status(&app, &office, "2024-S2").await.iter().all(|r| r["dueOn"] == "2024-12-01"));
    assert!(status(&app, &office, "2024-S1").await.iter().all(|r| r["dueOn"] == "2024-06-10"));
    assert!(status(&app, &office, "2099").await.iter().all(|r| r["status"] == "NOT_YET_DUE"));
}

#[tokio::test]
async fn a_period_without_a_deadline_a_bad_period_and_partners_are_refused() {
    let app = TestApp::seeded().await;
    let dashboard = app.token(Role::Dashboard, None, Some("216"));
    let (_, body) = app.graphql(Some(&dashboard), STATUS, json!({ "period": "2024-Q3" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("SEMIANNUAL 10/6") && message.contains("ANNUAL 1/12"), "{message}");
    assert_eq!(app.error_code(&dashboard, STATUS, json!({ "period": "2024-H1" })).await, "BAD_USER_INPUT");
    let partner = app.token(Role::Partner, None, Some("216"));
    assert_eq!(app.error_code(&partner, STATUS, json!({ "period": "2024" })).await, "FORBIDDEN");
    // A dashboard reads it.
    assert_eq!(status(&app, &dashboard, "2024").await.len(), 6);
}
