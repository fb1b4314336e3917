//! Pushing, reviewing and reading values, as the statistics office, agencies, dashboards
//! and partners do.

use gender_data_hub::auth::Role;
use gender_data_hub::graphql::ApiSettings;
use serde_json::{json, Value};

use crate::helpers::push::{counts, error_codes, obs, push_input, APPROVE, PUSH, REJECT};
use crate::helpers::TestApp;

const READ: &str = "query($filter: ObservationFilter, $first: Int, $after: String) { \
    observations(filter: $filter, first: $first, after: $after) { totalCount \
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } \
      edges { cursor node { id period sex ageGroup ethnicity value numerator denominator status revision \
        suppressed comment indicator { code } area { code } sourceAgency { code } } } } }";

async fn read(app: &TestApp, token: &str, filter: Value) -> Value {
    app.data(token, READ, json!({ "filter": filter })).await["observations"].clone()
}

/// Bắc Giang's statistics office, as its Tân Yên branch reports.
const BRANCH: &str = "216-CCTK";

#[tokio::test]
async fn a_push_creates_then_a_repush_is_unchanged_and_a_new_value_is_a_revision() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let rows = vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.5)];
    let first = app.push_with(&token, rows.clone(), json!({})).await;
    assert_eq!(counts(&first), (1, 0, 0, 0));
    assert_eq!(first["dryRun"], false);
    assert_eq!(counts(&app.push_with(&token, rows, json!({})).await), (0, 0, 1, 0));
    let changed =
        app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 113.0)], json!({})).await;
    assert_eq!(counts(&changed), (0, 1, 0, 0));

    let page = read(&app, &token, json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH" })).await;
    assert_eq!(page["totalCount"], 1);
    let node = &page["edges"][0]["node"];
    assert_eq!((node["value"].as_f64(), node["revision"].as_i64()), (Some(113.0), Some(2)));
    assert_eq!(node["status"], "SUBMITTED");
    assert!(node["ageGroup"].is_null() && node["ethnicity"].is_null());
    assert_eq!(node["sourceAgency"]["code"], BRANCH);

    let id = node["id"].as_str().expect("id").to_owned();
    let history = app
        .data(
            &token,
            "query { observations { edges { node { history { revision value status reportedBy } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        history["observations"]["edges"][0]["node"]["history"],
        json!([
            { "revision": 1, "value": 112.5, "status": "SUBMITTED", "reportedBy": "test-statistics_office" },
            { "revision": 2, "value": 113.0, "status": "SUBMITTED", "reportedBy": "test-statistics_office" },
        ])
    );
    assert!(!id.is_empty());
}

/// A push that mixes stored and new values: the stored ones are upserted, the new ones
/// (in a stored indicator, unit and period, or in a new one) created beside them.
#[tokio::test]
async fn a_push_of_stored_and_new_values_creates_updates_and_leaves_each_as_it_should() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let first = vec![
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "FEMALE", 90.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "MALE", 91.0),
    ];
    assert_eq!(counts(&app.push_with(&token, first, json!({})).await), (2, 0, 0, 0));
    let second = vec![
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "FEMALE", 90.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "MALE", 92.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "TOTAL", 91.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2025", "FEMALE", 93.0),
    ];
    assert_eq!(counts(&app.push_with(&token, second, json!({})).await), (2, 1, 1, 0));

    let answer = app
        .data(
            &token,
            "query { observations(filter: { indicatorCode: \"EM_PRIMARY_COMPLETION_PCT\" }) { \
               edges { node { period sex value revision history { revision value } } } } }",
            json!({}),
        )
        .await;
    let mut values: Vec<(String, String, f64, i64, Vec<f64>)> = answer["observations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            let history = n["history"].as_array().expect("history").iter().filter_map(|h| h["value"].as_f64());
            (
                n["period"].as_str().unwrap_or_default().to_owned(),
                n["sex"].as_str().unwrap_or_default().to_owned(),
                n["value"].as_f64().unwrap_or(f64::NAN),
                n["revision"].as_i64().unwrap_or_default(),
                history.collect(),
            )
        })
        .collect();
    values.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let expected = [
        ("2024", "FEMALE", 90.0, 1, vec![90.0]),
        ("2024", "MALE", 92.0, 2, vec![91.0, 92.0]),
        ("2024", "TOTAL", 91.0, 1, vec![91.0]),
        ("2025", "FEMALE", 93.0, 1, vec![93.0]),
    ]
    .map(|(p, s, v, r, h)| (p.to_owned(), s.to_owned(), v, r, h));
    assert_eq!(values, expected.to_vec());

    // Only a period with nothing stored yet, beside periods that are (PostgreSQL inserts
    // such a push without its upsert).
    let earlier = vec![
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "FEMALE", 88.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "MALE", 87.0),
    ];
    assert_eq!(counts(&app.push_with(&token, earlier, json!({})).await), (2, 0, 0, 0));
    let page = read(&app, &token, json!({ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT", "period": "2023" })).await;
    let mut found: Vec<(String, f64, i64)> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["sex"].as_str().unwrap_or_default().to_owned(),
                n["value"].as_f64().unwrap_or(f64::NAN),
                n["revision"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(found, vec![("FEMALE".to_owned(), 88.0, 1), ("MALE".to_owned(), 87.0, 1)]);
}

#[tokio::test]
async fn every_bad_row_is_reported_and_an_atomic_push_writes_nothing() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let mut mismatch = obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "FEMALE", 90.0);
    mismatch["numerator"] = json!(50);
    mismatch["denominator"] = json!(100);
    let mut bad_dimension = obs("SEX_RATIO_AT_BIRTH", "216", "2023", "TOTAL", 110.0);
    bad_dimension["ageGroup"] = json!("15-19");
    let rows = vec![
        obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0),
        obs("NO_SUCH_INDICATOR", "216", "2024", "TOTAL", 1.0),
        obs("SEX_RATIO_AT_BIRTH", "99999", "2024", "TOTAL", 110.0),
        obs("SEX_RATIO_AT_BIRTH", "216", "2024-Q5", "TOTAL", 110.0),
        obs("SEX_RATIO_AT_BIRTH", "216", "2026", "TOTAL", 110.0),
        obs("SEX_RATIO_AT_BIRTH", "216", "2022", "FEMALE", 110.0),
        bad_dimension,
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "MALE", 120.0),
        mismatch,
        obs("SEX_RATIO_AT_BIRTH", "121", "2024", "TOTAL", 110.0),
        obs("MATERNAL_MORTALITY_RATIO", "216", "2024", "TOTAL", 20.0),
        obs("MATERNAL_MORTALITY_RATIO", "216", "2024", "TOTAL", 21.0),
    ];
    let summary = app.push_with(&token, rows, json!({})).await;
    let expected: Vec<(i64, String)> = [
        (2, "UNKNOWN_INDICATOR"),
        (3, "UNKNOWN_AREA"),
        (4, "BAD_PERIOD"),
        (5, "AREA_NOT_VALID_FOR_PERIOD"),
        (6, "BAD_SEX"),
        (7, "BAD_DIMENSION"),
        (8, "BAD_VALUE"),
        (9, "NUMERATOR_MISMATCH"),
        (10, "OUT_OF_AREA"),
        (11, "DUPLICATE_ROW"),
        (12, "DUPLICATE_ROW"),
    ]
    .into_iter()
    .map(|(r, c)| (r, c.to_owned()))
    .collect();
    assert_eq!(error_codes(&summary), expected);
    assert_eq!(counts(&summary), (0, 0, 0, 11));
    assert_eq!(summary["errors"][1]["field"], "areaCode");
    assert_eq!(read(&app, &token, json!({})).await["totalCount"], 0, "an atomic push with a bad row wrote something");

    // Not atomic: the good row lands, the bad ones are reported.
    let summary = app
        .push_with(
            &token,
            vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0), obs("X", "216", "2024", "TOTAL", 1.0)],
            json!({ "atomic": false }),
        )
        .await;
    assert_eq!(counts(&summary), (1, 0, 0, 1));
    assert_eq!(read(&app, &token, json!({})).await["totalCount"], 1);
}

#[tokio::test]
async fn a_dry_run_counts_and_writes_nothing() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let summary = app
        .push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0)], json!({ "dryRun": true }))
        .await;
    assert_eq!(summary["dryRun"], true);
    assert_eq!(counts(&summary), (1, 0, 0, 0));
    assert_eq!(read(&app, &token, json!({})).await["totalCount"], 0);
}

#[tokio::test]
async fn a_retried_idempotency_key_returns_the_first_summary_and_writes_nothing() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let key = json!({ "idempotencyKey": "ty-2024-srb" });
    let first =
        app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0)], key.clone()).await;
    let retry = app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 999.0)], key).await;
    assert_eq!(first, retry);
    let page = read(&app, &token, json!({})).await;
    assert_eq!(page["edges"][0]["node"]["value"], 112.0);
    assert_eq!(page["edges"][0]["node"]["revision"], 1);
}

#[tokio::test]
async fn a_push_over_the_row_limit_is_refused_whole() {
    let app = TestApp::builder().settings(ApiSettings { max_push_rows: 2, ..ApiSettings::default() }).seeded().await;
    let token = app.office_as(BRANCH);
    let rows: Vec<Value> =
        ["2021", "2022", "2023"].iter().map(|p| obs("SEX_RATIO_AT_BIRTH", "216", p, "TOTAL", 110.0)).collect();
    let summary = app.push_with(&token, rows, json!({ "atomic": false })).await;
    assert_eq!(error_codes(&summary), [(3, "TOO_MANY_ROWS".to_owned())]);
    assert_eq!(counts(&summary), (0, 0, 0, 3));
    assert_eq!(read(&app, &token, json!({})).await["totalCount"], 0);
}

#[tokio::test]
async fn an_agency_pushes_only_its_assigned_indicators_inside_its_area() {
    let app = TestApp::seeded().await;
    // Tân Yên's health office leads every target of objective 4 (health).
    let health = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    let summary = app
        .push_with(
            &health,
            vec![
                obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0),
                obs("FEMALE_WAGE_EMPLOYMENT_PCT", "216", "2024", "TOTAL", 45.0),
                obs("SEX_RATIO_AT_BIRTH", "121", "2024", "TOTAL", 112.0),
            ],
            json!({ "atomic": false }),
        )
        .await;
    assert_eq!(error_codes(&summary), [(2, "NOT_ASSIGNED".to_owned()), (3, "OUT_OF_AREA".to_owned())]);
    assert_eq!(counts(&summary), (1, 0, 0, 2));
}

#[tokio::test]
async fn dashboards_and_partners_may_not_push_or_review() {
    let app = TestApp::seeded().await;
    for role in [Role::Dashboard, Role::Partner] {
        let token = app.token(role, None, Some("24"));
        let input = push_input(json!([obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 110.0)]));
        assert_eq!(app.error_code(&token, PUSH, input).await, "FORBIDDEN", "{role} pushed");
        assert_eq!(app.error_code(&token, APPROVE, json!({ "ids": ["1"] })).await, "FORBIDDEN", "{role} approved");
    }
    let agency = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    let reject = json!({ "ids": ["1"], "reason": "no" });
    assert_eq!(app.error_code(&agency, REJECT, reject).await, "FORBIDDEN");
}

async fn first_id(app: &TestApp, token: &str) -> String {
    read(app, token, json!({})).await["edges"][0]["node"]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_office_approves_and_partners_keep_the_last_approved_revision() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0)], json!({})).await;
    let id = first_id(&app, &token).await;
    let partner = app.token(Role::Partner, None, Some("24"));
    assert_eq!(read(&app, &partner, json!({})).await["totalCount"], 0, "a partner saw a submitted value");

    let approved = app.data(&token, APPROVE, json!({ "ids": [id] })).await;
    assert_eq!(approved["approveObservations"][0]["status"], "APPROVED");
    assert_eq!(read(&app, &partner, json!({})).await["edges"][0]["node"]["value"], 112.0);

    // A new value goes back to SUBMITTED; the partner still sees the approved 112.
    app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 114.0)], json!({})).await;
    let internal = read(&app, &token, json!({})).await;
    assert_eq!(internal["edges"][0]["node"]["status"], "SUBMITTED");
    assert_eq!(internal["edges"][0]["node"]["value"], 114.0);
    let public = read(&app, &partner, json!({})).await;
    assert_eq!(public["edges"][0]["node"]["value"], 112.0);
    assert_eq!(public["edges"][0]["node"]["revision"], 1);
    assert_eq!(public["edges"][0]["node"]["status"], "APPROVED");

    // Who reviewed, when, and the partner may not read the history.
    let history = app
        .data(
            &token,
            "{ observations { edges { node { history { revision status reviewedBy reviewedAt } } } } }",
            json!({}),
        )
        .await;
    let revisions = &history["observations"]["edges"][0]["node"]["history"];
    assert_eq!(revisions[0]["status"], "APPROVED");
    assert_eq!(revisions[0]["reviewedBy"], "test-statistics_office");
    assert!(revisions[0]["reviewedAt"].is_string());
    assert_eq!(revisions[1]["status"], "SUBMITTED");
    assert_eq!(
        app.error_code(&partner, "{ observations { edges { node { history { revision } } } } }", json!({})).await,
        "FORBIDDEN"
    );

    // Approved, then rejected: the partner no longer sees it.
    app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2023", "TOTAL", 111.0)], json!({})).await;
    let second = read(&app, &token, json!({ "period": "2023" })).await["edges"][0]["node"]["id"].clone();
    app.data(&token, APPROVE, json!({ "ids": [second] })).await;
    assert_eq!(read(&app, &partner, json!({ "period": "2023" })).await["totalCount"], 1);
    app.data(&token, REJECT, json!({ "ids": [second], "reason": "approved by mistake" })).await;
    assert_eq!(
        read(&app, &partner, json!({ "period": "2023" })).await["totalCount"],
        0,
        "a partner saw a rejected value"
    );
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_reviewing_is_bounded_by_area_and_ids() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0)], json!({})).await;
    let id = first_id(&app, &token).await;

    assert_eq!(app.error_code(&token, REJECT, json!({ "ids": [id], "reason": "  " })).await, "BAD_USER_INPUT");
    let rejected = app.data(&token, REJECT, json!({ "ids": [id], "reason": "figure from the wrong year" })).await;
    assert_eq!(rejected["rejectObservations"][0]["status"], "REJECTED");
    let history = app.data(&token, "{ observations { edges { node { history { reviewReason } } } } }", json!({})).await;
    assert_eq!(history["observations"]["edges"][0]["node"]["history"][0]["reviewReason"], "figure from the wrong year");

    let son_la = app.token(Role::StatisticsOffice, None, Some("14"));
    let (_, body) = app.graphql(Some(&son_la), APPROVE, json!({ "ids": [id] })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert!(!body["errors"][0]["message"].as_str().unwrap_or_default().contains("216"), "no area named: {body}");

    // A rejected value cannot be approved: a corrected push can. Rejecting again changes
    // nothing, not even the recorded reviewer and reason.
    let (_, body) = app.graphql(Some(&token), APPROVE, json!({ "ids": [id] })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("push a corrected value"));
    let admin = app.admin();
    let again = app.data(&admin, REJECT, json!({ "ids": [id], "reason": "another reason" })).await;
    assert_eq!(again["rejectObservations"][0]["status"], "REJECTED");
    let history = app
        .data(&token, "{ observations { edges { node { history { reviewReason reviewedBy } } } } }", json!({}))
        .await;
    let first = &history["observations"]["edges"][0]["node"]["history"][0];
    assert_eq!(
        (first["reviewReason"].as_str(), first["reviewedBy"].as_str()),
        (Some("figure from the wrong year"), Some("test-statistics_office")),
        "{history}"
    );

    assert_eq!(app.error_code(&token, APPROVE, json!({ "ids": ["987654"] })).await, "NOT_FOUND");
    assert_eq!(app.error_code(&token, APPROVE, json!({ "ids": ["abc"] })).await, "BAD_USER_INPUT");
    assert_eq!(app.error_code(&token, APPROVE, json!({ "ids": [] })).await, "BAD_USER_INPUT");
}

fn rate(indicator: &str, period: &str, sex: &str, numerator: f64, denominator: f64) -> Value {
    let mut row = obs(indicator, "216", period, sex, (numerator / denominator * 1000.0).round() / 10.0);
    row["numerator"] = json!(numerator);
    row["denominator"] = json!(denominator);
    row
}

/// Values by (period, sex) as a caller reads them: (value, suppressed).
async fn cells(app: &TestApp, token: &str) -> Vec<(String, String, Option<f64>, bool)> {
    let page = read(app, token, json!({ "indicatorCode": "GBV_VICTIMS_SUPPORTED_PCT" })).await;
    let mut cells: Vec<_> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            let (value, numerator) = (n["value"].as_f64(), n["numerator"].as_f64());
            assert_eq!(value.is_none(), numerator.is_none(), "value and numerator hidden together: {n}");
            (
                n["period"].as_str().unwrap_or_default().to_owned(),
                n["sex"].as_str().unwrap_or_default().to_owned(),
                value,
                n["suppressed"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    cells.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    cells
}

#[tokio::test]
async fn partners_do_not_see_small_counts_of_sensitive_indicators_nor_what_reveals_them() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let gbv = "GBV_VICTIMS_SUPPORTED_PCT";
    // 2023: 3 of 4 women helped (small), 20 of 25 men, 23 of 29 in all; 2024: all large.
    let rows = vec![
        rate(gbv, "2023", "FEMALE", 3.0, 4.0),
        rate(gbv, "2023", "MALE", 20.0, 25.0),
        rate(gbv, "2023", "TOTAL", 23.0, 29.0),
        rate(gbv, "2024", "FEMALE", 40.0, 50.0),
        rate(gbv, "2024", "MALE", 10.0, 20.0),
        rate(gbv, "2024", "TOTAL", 50.0, 70.0),
        rate(gbv, "2022", "TOTAL", 2.0, 3.0),
    ];
    assert_eq!(counts(&app.push_with(&token, rows, json!({})).await), (7, 0, 0, 0));
    let ids = app.observation_ids(&token, json!(null)).await;
    app.approve(&token, ids).await;

    let partner = app.token(Role::Partner, None, Some("216"));
    let s = |p: &str, x: &str, v: Option<f64>, hidden: bool| (p.to_owned(), x.to_owned(), v, hidden);
    assert_eq!(
        cells(&app, &partner).await,
        vec![
            s("2022", "TOTAL", None, true),
            // the small female cell, and the male one that would give it back (23 − 20)
            s("2023", "FEMALE", None, true),
            s("2023", "MALE", None, true),
            s("2023", "TOTAL", Some(79.3), false),
            s("2024", "FEMALE", Some(80.0), false),
            s("2024", "MALE", Some(50.0), false),
            s("2024", "TOTAL", Some(71.4), false),
        ]
    );
    // Internal roles see every figure.
    assert!(cells(&app, &token).await.iter().all(|c| c.2.is_some() && !c.3));

    // The gender gap hides the same cells.
    const GAP: &str = "query($p: String!) { genderGap(indicatorCode: \"GBV_VICTIMS_SUPPORTED_PCT\", areaCode: \"216\", period: $p) { female male difference ratio } }";
    let gap = app.data(&partner, GAP, json!({ "p": "2023" })).await;
    assert_eq!(gap["genderGap"], json!({ "female": null, "male": null, "difference": null, "ratio": null }));
    let gap = app.data(&partner, GAP, json!({ "p": "2024" })).await;
    assert_eq!(gap["genderGap"]["difference"], json!(30.0));
    let gap = app.data(&token, GAP, json!({ "p": "2023" })).await;
    assert_eq!(gap["genderGap"]["female"], json!(75.0));

    // Progress shows whether the target is met, and the total's figure only when it is published.
    const PROGRESS: &str = r#"query($p: String) { plan(code: "tan-yen-bdg-2021-2025") { objectives { targets { code progress(period: $p) { status value } } } } }"#;
    for (period, value) in [("2022", json!(null)), ("2023", json!(79.3)), ("2024", json!(71.4))] {
        let plan = app.data(&partner, PROGRESS, json!({ "p": period })).await;
        let target = plan["plan"]["objectives"][2]["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .find(|t| t["code"] == "M3.CT2a")
            .cloned()
            .expect("M3.CT2a");
        assert_eq!(target["progress"]["value"], value, "{period}");
    }

    // And so does the CSV export: confidential cells without figures (CONF_STATUS C).
    let (status, csv) = app.get_as(&partner, "/api/v1/observations.csv?period=2023").await;
    assert_eq!(status, 200);
    let mut lines: Vec<&str> = csv.lines().skip(1).collect();
    lines.sort_unstable();
    let row = |sex: &str, figures: &str, confidentiality: &str| {
        let [value, numerator, denominator] = figures.split('/').collect::<Vec<_>>()[..] else { panic!("{figures}") };
        format!(
            "dataflow,GDH:DF_GENDER(1.0),I,GBV_VICTIMS_SUPPORTED_PCT,216,2023,{sex},_T,_T,{value},A,,{confidentiality},{numerator},{denominator}"
        )
    };
    assert_eq!(lines, vec![row("F", "//", "C"), row("M", "//", "C"), row("_T", "79.3/23/29", "F")]);
}

#[tokio::test]
async fn the_disclosure_threshold_is_a_setting() {
    let settings = ApiSettings {
        disclosure: gender_data_hub::domain::disclosure::DisclosureRule { threshold: 30.0 },
        ..ApiSettings::default()
    };
    let app = TestApp::builder().settings(settings).seeded().await;
    let token = app.office_as(BRANCH);
    let gbv = "GBV_VICTIMS_SUPPORTED_PCT";
    let rows = vec![
        rate(gbv, "2024", "FEMALE", 40.0, 50.0),
        rate(gbv, "2024", "MALE", 10.0, 20.0),
        rate(gbv, "2024", "TOTAL", 50.0, 70.0),
    ];
    app.push_with(&token, rows, json!({})).await;
    let ids = app.observation_ids(&token, json!(null)).await;
    app.approve(&token, ids).await;
    let partner = app.token(Role::Partner, None, Some("216"));
    let hidden: Vec<(String, bool)> = cells(&app, &partner).await.into_iter().map(|c| (c.1, c.3)).collect();
    // 10 men helped (of 20) is under 30: hidden, and so the women's 40 of 50 with it.
    assert_eq!(hidden, vec![("FEMALE".into(), true), ("MALE".into(), true), ("TOTAL".into(), false)]);
}

#[tokio::test]
async fn pages_follow_cursors_and_filters_narrow_the_selection() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let rows: Vec<Value> = ["2021", "2022", "2023", "2024", "2025"]
        .iter()
        .map(|p| obs("SEX_RATIO_AT_BIRTH", "216", p, "TOTAL", 111.0))
        .collect();
    app.push_with(&token, rows, json!({})).await;
    app.push_with(&token, vec![obs("SEX_RATIO_AT_BIRTH", "24", "2024", "TOTAL", 110.0)], json!({})).await;

    let page =
        app.data(&token, READ, json!({ "first": 2, "filter": { "areaCode": "216" } })).await["observations"].clone();
    assert_eq!(page["totalCount"], 5);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let mut periods: Vec<String> = vec![];
    let mut after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    periods.extend(
        page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["period"].as_str().unwrap_or_default().to_owned()),
    );
    while let Some(cursor) = after {
        let next = app
            .data(&token, READ, json!({ "first": 2, "after": cursor, "filter": { "areaCode": "216" } }))
            .await["observations"]
            .clone();
        assert_eq!(next["pageInfo"]["hasPreviousPage"], true);
        periods.extend(
            next["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["period"].as_str().unwrap_or_default().to_owned()),
        );
        after = if next["pageInfo"]["hasNextPage"] == true {
            next["pageInfo"]["endCursor"].as_str().map(str::to_owned)
        } else {
            None
        };
    }
    assert_eq!(periods, ["2021", "2022", "2023", "2024", "2025"]);

    assert_eq!(read(&app, &token, json!({ "areaCode": "24" })).await["totalCount"], 1);
    assert_eq!(read(&app, &token, json!({ "areaCode": "24", "includeDescendants": true })).await["totalCount"], 6);
    assert_eq!(read(&app, &token, json!({ "period": "2024" })).await["totalCount"], 2);
    assert_eq!(read(&app, &token, json!({ "status": "APPROVED" })).await["totalCount"], 0);

    for (variables, argument) in [
        (json!({ "first": 1001 }), "first"),
        (json!({ "first": -1 }), "first"),
        (json!({ "after": "zz" }), "after"),
        (json!({ "filter": { "period": "2024-H1" } }), "filter.period"),
    ] {
        let (_, body) = app.graphql(Some(&token), READ, variables.clone()).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{variables}");
        assert_eq!(body["errors"][0]["extensions"]["argument"], argument, "{variables}");
    }
    let tan_yen = app.token(Role::Dashboard, None, Some("216"));
    assert_eq!(app.error_code(&tan_yen, READ, json!({ "filter": { "areaCode": "24" } })).await, "FORBIDDEN");
    assert_eq!(read(&app, &tan_yen, json!({})).await["totalCount"], 5, "a district read its province's value");
}

#[tokio::test]
async fn the_gender_gap_compares_female_and_male_values() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    app.push_with(
        &token,
        vec![
            obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "FEMALE", 96.0),
            obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "MALE", 80.0),
        ],
        json!({}),
    )
    .await;
    let query = r#"query($p: String!) { genderGap(indicatorCode: "EM_PRIMARY_COMPLETION_PCT", areaCode: "216", period: $p) { female male difference ratio } }"#;
    let gap = app.data(&token, query, json!({ "p": "2024" })).await;
    assert_eq!(gap["genderGap"], json!({ "female": 96.0, "male": 80.0, "difference": 16.0, "ratio": 1.2 }));
    assert!(app.data(&token, query, json!({ "p": "2023" })).await["genderGap"].is_null());
    assert_eq!(app.error_code(&token, query, json!({ "p": "2024-X" })).await, "BAD_USER_INPUT");
}

#[tokio::test]
async fn an_admin_issues_tokens_and_no_one_else_does() {
    let app = TestApp::seeded().await;
    let issue = "mutation($input: IssueTokenInput!) { issueToken(input: $input) { token jti expiresAt } }";
    let input = json!({ "input": { "role": "DASHBOARD", "areaCode": "216", "ttlSeconds": 3600 } });
    let issued = app.data(&app.admin(), issue, input.clone()).await;
    let token = issued["issueToken"]["token"].as_str().expect("token");
    let me = app.data(token, "{ me { role area { code } } }", json!({})).await;
    assert_eq!(me["me"], json!({ "role": "DASHBOARD", "area": { "code": "216" } }));

    assert_eq!(app.error_code(&app.office_as(BRANCH), issue, input).await, "FORBIDDEN");
    let bad_area = json!({ "input": { "role": "DASHBOARD", "areaCode": "nowhere" } });
    assert_eq!(app.error_code(&app.admin(), issue, bad_area).await, "BAD_USER_INPUT");
    let no_area = json!({ "input": { "role": "PARTNER" } });
    assert_eq!(app.error_code(&app.admin(), issue, no_area).await, "BAD_USER_INPUT");
    let too_long = json!({ "input": { "role": "ADMIN", "ttlSeconds": 0 } });
    assert_eq!(app.error_code(&app.admin(), issue, too_long).await, "BAD_USER_INPUT");
}

#[tokio::test]
async fn concurrent_pushes_of_the_same_keys_all_land_without_errors() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    // Eight pushes at once: each creates or updates the same two keys, and one key of its own.
    let pushes = (0..8).map(|i| {
        let rows = vec![
            obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 110.0 + f64::from(i % 2)),
            obs("MATERNAL_MORTALITY_RATIO", "216", "2024", "TOTAL", 40.0),
            obs("ADOLESCENT_BIRTH_RATE", "216", &format!("2024-{:02}", i + 1), "TOTAL", 20.0),
        ];
        let (app, token) = (&app, token.clone());
        async move { app.graphql(Some(&token), PUSH, push_input(rows)).await }
    });
    let answers = futures_util::future::join_all(pushes).await;
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for (status, body) in &answers {
        assert_eq!(*status, axum::http::StatusCode::OK);
        assert!(body.get("errors").is_none(), "{body}");
        let summary = &body["data"]["submitObservations"];
        created += summary["created"].as_i64().unwrap_or_default();
        updated += summary["updated"].as_i64().unwrap_or_default();
        unchanged += summary["unchanged"].as_i64().unwrap_or_default();
    }
    // 2 shared keys + 8 own keys created once each; every other row updated or unchanged.
    assert_eq!(created, 10);
    assert_eq!(created + updated + unchanged, 24);
    assert_eq!(app.count("SELECT COUNT(*) FROM observations").await, 10);
    let revisions = app.count("SELECT COUNT(*) FROM observation_revisions").await;
    assert_eq!(revisions, 10 + updated, "one revision per created or updated row");
}

#[tokio::test]
async fn a_retry_racing_its_first_push_gets_the_first_summary() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let rows = vec![obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0)];
    let input = json!({ "input": { "observations": rows, "idempotencyKey": "race-1" } });
    let answers = futures_util::future::join_all((0..4).map(|_| app.graphql(Some(&token), PUSH, input.clone()))).await;
    for (_, body) in &answers {
        assert!(body.get("errors").is_none(), "{body}");
        let summary = &body["data"]["submitObservations"];
        assert_eq!(counts(summary), (1, 0, 0, 0), "every answer is the first push's summary: {body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM observation_revisions").await, 1);
}

#[tokio::test]
async fn a_new_comment_or_a_repush_after_rejection_is_an_update_never_lost() {
    let app = TestApp::seeded().await;
    let token = app.office_as(BRANCH);
    let srb = obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.5);
    app.push_with(&token, vec![srb.clone()], json!({})).await;
    // The same value with a comment: kept, as a new revision.
    let mut commented = srb.clone();
    commented["comment"] = json!("estimate from the civil registry");
    assert_eq!(counts(&app.push_with(&token, vec![commented.clone()], json!({})).await), (0, 1, 0, 0));
    assert_eq!(counts(&app.push_with(&token, vec![commented.clone()], json!({})).await), (0, 0, 1, 0));
    // A row without a comment does not erase the one kept.
    assert_eq!(counts(&app.push_with(&token, vec![srb.clone()], json!({})).await), (0, 0, 1, 0));
    let node = &read(&app, &token, json!({})).await["edges"][0]["node"];
    assert_eq!(
        (node["comment"].as_str(), node["revision"].as_i64()),
        (Some("estimate from the civil registry"), Some(2))
    );

    // Rejected, then sent again unchanged: the agency stands by it, so it is reviewed again.
    let id = node["id"].clone();
    app.data(&token, REJECT, json!({ "ids": [id], "reason": "check the source" })).await;
    assert_eq!(counts(&app.push_with(&token, vec![commented], json!({})).await), (0, 1, 0, 0));
    let node = &read(&app, &token, json!({})).await["edges"][0]["node"];
    assert_eq!((node["status"].as_str(), node["revision"].as_i64()), (Some("SUBMITTED"), Some(3)));
}

/// Every id a read returns, following its cursors `first` at a time: each page in id order
/// and full but the last.
async fn every_page(app: &TestApp, token: &str, filter: Value, first: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app.data(token, READ, json!({ "filter": filter, "first": first, "after": after })).await
            ["observations"]
            .clone();
        let edges = page["edges"].as_array().cloned().unwrap_or_default();
        let page_ids: Vec<i64> =
            edges.iter().filter_map(|e| e["node"]["id"].as_str().and_then(|id| id.parse().ok())).collect();
        assert!(page_ids.windows(2).all(|w| w[0] < w[1]), "a page in id order: {page_ids:?}");
        ids.extend(&page_ids);
        if page["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        assert_eq!(page_ids.len(), first, "a page before the last is full");
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn pages_over_many_units_return_each_value_of_the_area_once_in_id_order() {
    // A district's token reaches its communes: on PostgreSQL its pages are read unit by unit
    // and merged (a seek per unit), the partner's with the published revisions only.
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let communes = app
        .texts(
            "SELECT c.code FROM areas c JOIN areas d ON d.id = c.parent_id \
             WHERE d.code = '216' ORDER BY c.code",
        )
        .await;
    assert!(communes.len() > 10, "Tân Yên's communes: {communes:?}");
    let rows: Vec<Value> = communes
        .iter()
        .take(8)
        .flat_map(|c| {
            ["2023", "2024"].into_iter().flat_map(move |p| {
                [("SEX_RATIO_AT_BIRTH", 110.0), ("ADOLESCENT_BIRTH_RATE", 20.0)]
                    .map(|(indicator, value)| obs(indicator, c, p, "TOTAL", value))
            })
        })
        .chain([
            obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0),
            obs("SEX_RATIO_AT_BIRTH", "215", "2024", "TOTAL", 109.0),
        ])
        .collect();
    app.push_with(&admin, rows, json!({})).await;
    let under_216: Vec<i64> = app
        .texts(
            "SELECT CAST(o.id AS TEXT) FROM observations o JOIN areas a ON a.id = o.area_id \
             LEFT JOIN areas p ON p.id = a.parent_id WHERE a.code = '216' OR p.code = '216' ORDER BY o.id",
        )
        .await
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    assert_eq!(under_216.len(), 33);

    let dashboard = app.token(Role::Dashboard, None, Some("216"));
    assert_eq!(every_page(&app, &dashboard, json!({}), 5).await, under_216, "the dashboard's whole area");
    let filter = json!({ "areaCode": "216", "includeDescendants": true });
    assert_eq!(every_page(&app, &admin, filter.clone(), 4).await, under_216, "the admin's filter");
    let one_indicator = json!({ "indicatorCode": "ADOLESCENT_BIRTH_RATE" });
    assert_eq!(every_page(&app, &dashboard, one_indicator, 3).await.len(), 16, "one indicator of the area");

    // Every third value approved: the partner pages through those, and no others.
    let approved: Vec<i64> = under_216.iter().copied().step_by(3).collect();
    app.approve(&admin, approved.iter().map(|id| id.to_string()).collect::<Vec<_>>()).await;
    let partner = app.token(Role::Partner, None, Some("216"));
    assert_eq!(every_page(&app, &partner, json!({}), 2).await, approved, "the partner's published values");
    let status = json!({ "status": "APPROVED", "period": "2024" });
    let approved_2024 = every_page(
        &app,
        &admin,
        json!({ "status": "APPROVED", "period": "2024", "areaCode": "216", "includeDescendants": true }),
        2,
    )
    .await;
    assert_eq!(every_page(&app, &partner, status, 2).await, approved_2024);
    assert!(!approved_2024.is_empty());
}

const READ_ORDERED: &str =
    "query($filter: ObservationFilter, $order: ObservationOrder!, $first: Int, $after: String) { \
    observations(filter: $filter, orderBy: $order, first: $first, after: $after) { totalCount \
      pageInfo { hasNextPage endCursor } edges { node { id period indicator { code } area { code } } } } }";

/// (period, id) of every value a filter selects, read page by page in `order`.
async fn every_page_in(app: &TestApp, token: &str, filter: Value, order: &str, first: usize) -> Vec<(String, i64)> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let variables = json!({ "filter": filter, "order": order, "first": first, "after": after });
        let page = app.data(token, READ_ORDERED, variables).await["observations"].clone();
        let edges = page["edges"].as_array().cloned().unwrap_or_default();
        seen.extend(edges.iter().map(|e| {
            let node = &e["node"];
            (
                node["period"].as_str().unwrap_or_default().to_owned(),
                node["id"].as_str().unwrap_or("0").parse().unwrap_or(0),
            )
        }));
        if page["pageInfo"]["hasNextPage"] != true {
            return seen;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn filters_take_lists_and_ranges_and_pages_follow_the_period_order() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let communes = app
        .texts("SELECT c.code FROM areas c JOIN areas d ON d.id = c.parent_id WHERE d.code = '216' ORDER BY c.code")
        .await;
    let (a, b, c) = (communes[0].clone(), communes[1].clone(), communes[2].clone());
    // Later years pushed first, so that id order and period order differ; all before the
    // 2025 reform (a code's 2025 value is its new commune's, outside the old district).
    let rows: Vec<Value> = ["2024", "2023", "2022", "2021", "2020"]
        .iter()
        .flat_map(|p| {
            [&a, &b, &c].into_iter().flat_map(move |unit| {
                [("SEX_RATIO_AT_BIRTH", 110.0), ("ADOLESCENT_BIRTH_RATE", 20.0), ("MATERNAL_MORTALITY_RATIO", 40.0)]
                    .map(|(indicator, value)| obs(indicator, unit, p, "TOTAL", value))
            })
        })
        .collect();
    assert_eq!(counts(&app.push_with(&admin, rows, json!({})).await), (45, 0, 0, 0));

    let count = |filter: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { read(app, &admin, filter).await["totalCount"].as_i64() }
    };
    let two = json!(["SEX_RATIO_AT_BIRTH", "ADOLESCENT_BIRTH_RATE"]);
    assert_eq!(count(json!({ "indicatorCodes": two })).await, Some(30));
    assert_eq!(count(json!({ "areaCodes": [a, b] })).await, Some(30));
    assert_eq!(count(json!({ "periods": ["2020", "2024"] })).await, Some(18));
    assert_eq!(count(json!({ "periodFrom": "2022", "periodTo": "2024" })).await, Some(27));
    assert_eq!(
        count(json!({ "indicatorCodes": two, "areaCodes": [a, c], "periodFrom": "2022", "periodTo": "2024" })).await,
        Some(12)
    );
    // Areas by list reach below them like one area does.
    assert_eq!(count(json!({ "areaCodes": ["216", "215"], "includeDescendants": true })).await, Some(45));
    assert_eq!(count(json!({ "periodFrom": "2024-Q1", "periodTo": "2024-Q4" })).await, Some(0));

    // By period: oldest first, ids in order within a period, every value once, on pages
    // of a district's dashboard (on PostgreSQL, a seek per unit merged).
    let dashboard = app.token(Role::Dashboard, None, Some("216"));
    let by_period = every_page_in(&app, &dashboard, json!({ "indicatorCodes": two }), "PERIOD", 4).await;
    assert_eq!(by_period.len(), 30);
    assert!(by_period.windows(2).all(|w| w[0] < w[1]), "{by_period:?}");
    assert_eq!(by_period.first().map(|p| p.0.as_str()), Some("2020"));
    let by_id = every_page_in(&app, &dashboard, json!({ "indicatorCodes": two }), "ID", 4).await;
    assert!(by_id.windows(2).all(|w| w[0].1 < w[1].1));
    assert_eq!(by_id.first().map(|p| p.0.as_str()), Some("2024"));
    let mut same: Vec<i64> = by_period.iter().map(|p| p.1).collect();
    same.sort_unstable();
    assert_eq!(same, by_id.iter().map(|p| p.1).collect::<Vec<_>>());
    // An indicator's own page, by period.
    const SERIES: &str = "query($a: String!) { indicator(code: \"SEX_RATIO_AT_BIRTH\") { \
        observations(filter: { areaCode: $a }, orderBy: PERIOD, first: 3) { edges { node { period } } } } }";
    let series = app.data(&admin, SERIES, json!({ "a": a })).await;
    let periods: Vec<&str> = series["indicator"]["observations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["period"].as_str())
        .collect();
    assert_eq!(periods, ["2020", "2021", "2022"]);

    // The export takes the same lists, comma-separated.
    let (status, csv) =
        app.get_as(&admin, &format!("/api/v1/observations.csv?areaCodes={a},{b}&periods=2021,2022")).await;
    assert_eq!(status, 200, "{csv}");
    assert_eq!(csv.lines().count(), 1 + 12, "{csv}");
}

#[tokio::test]
async fn a_filter_naming_a_condition_twice_or_a_bad_range_is_refused_naming_the_argument() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    for (filter, argument) in [
        (
            json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "indicatorCodes": ["ADOLESCENT_BIRTH_RATE"] }),
            "filter.indicatorCodes",
        ),
        (json!({ "areaCode": "216", "areaCodes": ["215"] }), "filter.areaCodes"),
        (json!({ "areaCodes": [] }), "filter.areaCodes"),
        (json!({ "period": "2024", "periods": ["2023"] }), "filter.periods"),
        (json!({ "periods": ["2024", "2024-H1"] }), "filter.periods"),
        (json!({ "period": "2024", "periodFrom": "2021", "periodTo": "2023" }), "filter.periodFrom"),
        (json!({ "periodFrom": "2021" }), "filter.periodTo"),
        (json!({ "periodTo": "2021" }), "filter.periodFrom"),
        (json!({ "periodFrom": "2021", "periodTo": "2024-06" }), "filter.periodTo"),
        (json!({ "periodFrom": "2025", "periodTo": "2021" }), "filter.periodTo"),
        (json!({ "periodFrom": "2021-13", "periodTo": "2022-01" }), "filter.periodFrom"),
    ] {
        let (_, body) = app.graphql(Some(&admin), READ, json!({ "filter": filter })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{filter}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["argument"], argument, "{filter}: {body}");
    }
    // An unknown area among several is NOT_FOUND; one outside the caller's, FORBIDDEN.
    assert_eq!(app.error_code(&admin, READ, json!({ "filter": { "areaCodes": ["216", "99999"] } })).await, "NOT_FOUND");
    let tan_yen = app.token(Role::Dashboard, None, Some("216"));
    assert_eq!(app.error_code(&tan_yen, READ, json!({ "filter": { "areaCodes": ["216", "01"] } })).await, "FORBIDDEN");

    // A cursor is good only in the order it was read in.
    app.push_with(
        &admin,
        vec![
            obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 110.0),
            obs("SEX_RATIO_AT_BIRTH", "216", "2023", "TOTAL", 111.0),
        ],
        json!({}),
    )
    .await;
    let page = app.data(&admin, READ_ORDERED, json!({ "order": "ID", "first": 1 })).await;
    let cursor = page["observations"]["pageInfo"]["endCursor"].clone();
    let (_, body) =
        app.graphql(Some(&admin), READ_ORDERED, json!({ "order": "PERIOD", "first": 1, "after": cursor })).await;
    assert_eq!(body["errors"][0]["extensions"]["argument"], "after", "{body}");
    let page = app.data(&admin, READ_ORDERED, json!({ "order": "PERIOD", "first": 1 })).await;
    assert_eq!(page["observations"]["edges"][0]["node"]["period"], "2023");
    let cursor = page["observations"]["pageInfo"]["endCursor"].clone();
    let next = app.data(&admin, READ_ORDERED, json!({ "order": "PERIOD", "first": 1, "after": cursor.clone() })).await;
    assert_eq!(next["observations"]["edges"][0]["node"]["period"], "2024");
    let (_, body) =
        app.graphql(Some(&admin), READ_ORDERED, json!({ "order": "ID", "first": 1, "after": cursor })).await;
    assert_eq!(body["errors"][0]["extensions"]["argument"], "after", "{body}");
}
