//! Progress toward targets, from a district's own values and rolled up across a merger.

use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const PROGRESS: &str = r#"query($area: String, $period: String) {
  plan(code: "tan-yen-bdg-2021-2025") { objectives { targets { code progress(areaCode: $area, period: $period) { status value period derived } } } }
}"#;

async fn progress(app: &TestApp, token: &str, target: &str, area: Option<&str>, period: Option<&str>) -> Value {
    let data = app.data(token, PROGRESS, json!({ "area": area, "period": period })).await;
    data["plan"]["objectives"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["targets"].as_array().into_iter().flatten())
        .find(|t| t["code"] == target)
        .map(|t| t["progress"].clone())
        .unwrap_or_else(|| panic!("no target {target}"))
}

/// Pushes rows, none of which may be refused.
async fn push(app: &TestApp, token: &str, rows: Value) {
    let summary = app.push(token, rows).await;
    assert_eq!(summary["rejected"], 0, "{summary}");
}

#[tokio::test]
async fn a_target_is_met_or_not_by_the_latest_value_of_its_area() {
    let app = TestApp::seeded().await;
    let office = app.office();
    // "Tỷ số giới tính khi sinh không vượt quá 115 bé trai/100 bé gái"
    assert_eq!(
        progress(&app, &office, "M4.CT1", None, None).await,
        json!({ "status": "NO_DATA", "value": null, "period": null, "derived": false })
    );
    let srb = |period: &str, value: f64| json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": period, "sex": "TOTAL", "value": value });
    push(&app, &office, json!([srb("2024", 112.0), srb("2025-S1", 118.0)])).await;
    assert_eq!(
        progress(&app, &office, "M4.CT1", None, None).await,
        json!({ "status": "NOT_MET", "value": 118.0, "period": "2025-S1", "derived": false })
    );
    assert_eq!(progress(&app, &office, "M4.CT1", None, Some("2024")).await["status"], "MET");
    // A qualitative-free target with no indicator value stays NO_DATA; a bad period is refused.
    assert_eq!(progress(&app, &office, "M4.CT2", None, None).await["status"], "NO_DATA");
    let (_, body) = app.graphql(Some(&office), PROGRESS, json!({ "period": "2024-H2" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // Another area must be inside the caller's.
    let district = app.token(Role::Dashboard, None, Some("216"));
    let (_, body) = app.graphql(Some(&district), PROGRESS, json!({ "area": "24" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn values_of_merged_units_roll_up_into_their_successor() {
    let app = TestApp::seeded().await;
    // Two provinces that merged into a third on 1 July 2025, made for this test.
    app.execute(&[
        "INSERT INTO areas (code, name, level, parent_code, valid_to) VALUES ('901', 'Old A', 'PROVINCE', 'VN', '2025-06-30')",
        "INSERT INTO areas (code, name, level, parent_code, valid_to) VALUES ('902', 'Old B', 'PROVINCE', 'VN', '2025-06-30')",
        "INSERT INTO areas (code, name, level, parent_code, valid_from) VALUES ('903', 'New AB', 'PROVINCE', 'VN', '2025-07-01')",
        "INSERT INTO area_successions (predecessor_code, successor_code, effective_on) VALUES ('901', '903', '2025-07-01')",
        "INSERT INTO area_successions (predecessor_code, successor_code, effective_on) VALUES ('902', '903', '2025-07-01')",
    ])
    .await;
    let admin = app.admin();
    let completion = |area: &str, n: f64, d: f64| {
        json!({ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT", "areaCode": area, "period": "2024", "sex": "TOTAL",
                "value": (n / d * 1000.0).round() / 10.0, "numerator": n, "denominator": d })
    };
    push(&app, &admin, json!([completion("901", 90.0, 100.0), completion("902", 5.0, 10.0)])).await;

    // 95 of 110 children completed primary school: 86.36%, not the 70% mean of 90% and 50%.
    let p = progress(&app, &admin, "M5.CT2a", Some("903"), None).await;
    assert_eq!(p["status"], "NOT_MET");
    assert_eq!(p["period"], "2024");
    assert_eq!(p["derived"], true);
    assert!((p["value"].as_f64().unwrap_or_default() - 86.3636).abs() < 1e-3, "{p}");
    // Each old unit keeps its own value.
    let own = progress(&app, &admin, "M5.CT2a", Some("901"), None).await;
    assert_eq!((own["value"].as_f64(), own["derived"].as_bool()), (Some(90.0), Some(false)));
    // A new value without a denominator for one of them: no roll-up is possible.
    push(
        &app,
        &admin,
        json!([{ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT", "areaCode": "902", "period": "2024",
                                 "sex": "TOTAL", "value": 55.0 }]),
    )
    .await;
    assert_eq!(progress(&app, &admin, "M5.CT2a", Some("903"), None).await["status"], "NO_DATA");
}

#[tokio::test]
async fn a_roll_up_never_reads_past_the_callers_area() {
    let app = TestApp::seeded().await;
    // A district of Sơn La (14) moved into Bắc Giang (24) as a new unit, made for this test.
    app.execute(&[
        "INSERT INTO areas (code, name, level, parent_code, valid_to) VALUES ('905', 'Old', 'DISTRICT', '14', '2025-06-30')",
        "INSERT INTO areas (code, name, level, parent_code, valid_from) VALUES ('906', 'New', 'DISTRICT', '24', '2025-07-01')",
        "INSERT INTO area_successions (predecessor_code, successor_code, effective_on) VALUES ('905', '906', '2025-07-01')",
    ])
    .await;
    let srb = json!([{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "905", "period": "2024", "sex": "TOTAL", "value": 112.0 }]);
    push(&app, &app.admin(), srb).await;
    let admin = progress(&app, &app.admin(), "M4.CT1", Some("906"), None).await;
    assert_eq!(admin, json!({ "status": "MET", "value": 112.0, "period": "2024", "derived": true }));
    // Bắc Giang's dashboard may not read Sơn La's value, so it gets no roll-up from it either.
    let bac_giang = app.token(Role::Dashboard, None, Some("24"));
    assert_eq!(
        progress(&app, &bac_giang, "M4.CT1", Some("906"), None).await,
        json!({ "status": "NO_DATA", "value": null, "period": null, "derived": false })
    );
}

#[tokio::test]
async fn partners_measure_progress_on_approved_values_only() {
    let app = TestApp::seeded().await;
    let office = app.office();
    push(&app, &office, json!([{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": "2024", "sex": "TOTAL", "value": 112.0 }])).await;
    let partner = app.token(Role::Partner, None, Some("216"));
    assert_eq!(progress(&app, &partner, "M4.CT1", None, None).await["status"], "NO_DATA");
    let id = app.observation_ids(&office, json!(null)).await[0].clone();
    app.approve(&office, json!([id])).await;
    assert_eq!(
        progress(&app, &partner, "M4.CT1", None, None).await,
        json!({ "status": "MET", "value": 112.0, "period": "2024", "derived": false })
    );
}
