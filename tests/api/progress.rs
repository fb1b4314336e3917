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
    // Tỉnh Bắc Giang (24) and Tỉnh Bắc Ninh (27) merged into Tỉnh Bắc Ninh, code 24, on
    // 2025-07-01. In 2024, code 24 names Bắc Giang.
    let admin = app.admin();
    let completion = |area: &str, n: f64, d: f64| {
        json!({ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT", "areaCode": area, "period": "2024", "sex": "TOTAL",
                "value": (n / d * 1000.0).round() / 10.0, "numerator": n, "denominator": d })
    };
    push(&app, &admin, json!([completion("24", 90.0, 100.0), completion("27", 5.0, 10.0)])).await;

    // Today, 24 is the new Bắc Ninh: 95 of 110 children completed primary school in its
    // territory in 2024, 86.36%, not the 70% mean of 90% and 50%.
    let p = progress(&app, &admin, "M5.CT2a", Some("24"), None).await;
    assert_eq!(p["status"], "NOT_MET");
    assert_eq!(p["period"], "2024");
    assert_eq!(p["derived"], true);
    assert!((p["value"].as_f64().unwrap_or_default() - 86.3636).abs() < 1e-3, "{p}");
    // Each old unit keeps its own value: 24 in 2024 is Bắc Giang, 27 names old Bắc Ninh.
    let own = progress(&app, &admin, "M5.CT2a", Some("24"), Some("2024")).await;
    assert_eq!((own["value"].as_f64(), own["derived"].as_bool()), (Some(90.0), Some(false)));
    let own = progress(&app, &admin, "M5.CT2a", Some("27"), None).await;
    assert_eq!((own["value"].as_f64(), own["derived"].as_bool()), (Some(50.0), Some(false)));
    // A new value without a denominator for one of them: no roll-up is possible.
    push(
        &app,
        &admin,
        json!([{ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT", "areaCode": "27", "period": "2024",
                                 "sex": "TOTAL", "value": 55.0 }]),
    )
    .await;
    assert_eq!(progress(&app, &admin, "M5.CT2a", Some("24"), None).await["status"], "NO_DATA");
}

/// SRB values (boys per 100 girls) of 2025 for new communes: (code, boys, girls).
fn srb_2025(rows: &[(&str, f64, f64)]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|(code, boys, girls)| {
            json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": code, "period": "2025", "sex": "TOTAL",
                    "value": (boys / girls * 1000.0).round() / 10.0, "numerator": boys, "denominator": girls })
        })
        .collect();
    Value::Array(rows)
}

#[tokio::test]
async fn an_ended_district_in_2025_is_compiled_from_the_new_communes_wholly_inside_it() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    // Tân Yên's 19 communes went to 6 new communes of Bắc Ninh; Phường Đa Mai (07228) also
    // took in communes of Thành phố Bắc Giang, so it straddles Tân Yên's old boundary.
    let map = app
        .data(
            &admin,
            r#"{ area(code: "216", validOn: "2025-01-01") { validTo children { code successors { code } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(map["area"]["validTo"], "2025-06-30");
    let children = map["area"]["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(children.len(), 19);
    let mut successors: Vec<String> = children
        .iter()
        .flat_map(|c| c["successors"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["code"].as_str().map(str::to_owned))
        .collect();
    successors.sort();
    successors.dedup();
    assert_eq!(successors, ["07228", "07306", "07330", "07333", "07339", "07351"]);
    let da_mai =
        app.data(&admin, r#"{ area(code: "07228") { name predecessors { code parent { code } } } }"#, json!({})).await;
    assert_eq!(da_mai["area"]["name"], "Phường Đa Mai");
    assert!(da_mai["area"]["predecessors"].as_array().into_iter().flatten().any(|p| p["parent"]["code"] == "213"));

    push(
        &app,
        &admin,
        srb_2025(&[
            ("07228", 500.0, 450.0),
            ("07306", 300.0, 270.0),
            ("07330", 200.0, 180.0),
            ("07333", 210.0, 190.0),
            ("07339", 400.0, 350.0),
            ("07351", 250.0, 220.0),
        ]),
    )
    .await;
    // Tân Yên's plan, target M4.CT1 ("không vượt quá 115"): Đa Mai straddles, so no value.
    assert_eq!(progress(&app, &admin, "M4.CT1", None, Some("2025")).await["status"], "NO_DATA");
    // Huyện Yên Thế (215) went wholly into 5 new communes: its 2025 value is theirs, summed.
    push(
        &app,
        &admin,
        srb_2025(&[
            ("07246", 100.0, 90.0),
            ("07264", 110.0, 100.0),
            ("07282", 120.0, 100.0),
            ("07288", 90.0, 80.0),
            ("07294", 80.0, 70.0),
        ]),
    )
    .await;
    let yen_the = progress(&app, &admin, "M4.CT1", Some("215"), Some("2025")).await;
    assert_eq!(yen_the["derived"], true, "{yen_the}");
    assert!((yen_the["value"].as_f64().unwrap_or_default() - 500.0 / 440.0 * 100.0).abs() < 1e-9, "{yen_the}");
    assert_eq!(yen_the["status"], "MET");
    // A value Tân Yên reported for 2025 itself (216 held its code until 30 June) is its own.
    push(&app, &admin, json!([{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": "2025", "sex": "TOTAL", "value": 116.0 }])).await;
    assert_eq!(
        progress(&app, &admin, "M4.CT1", None, Some("2025")).await,
        json!({ "status": "NOT_MET", "value": 116.0, "period": "2025", "derived": false })
    );
    // 2026: no unit holds 216 any more; its values are compiled or nothing.
    let (_, body) = app
        .graphql(Some(&admin), "mutation($rows: [ObservationInput!]!) { submitObservations(input: { observations: $rows }) { rejected errors { code message } } }",
            json!({ "rows": [{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": "2026", "sex": "TOTAL", "value": 110.0 }] }))
        .await;
    let summary = &body["data"]["submitObservations"];
    assert_eq!(summary["errors"][0]["code"], "AREA_NOT_VALID_FOR_PERIOD", "{body}");
}

#[tokio::test]
async fn a_new_commune_before_the_reform_is_compiled_from_its_predecessors() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    // Xã Nhã Nam (07306 from 2025-07-01) = TT Nhã Nam (07306 until then), Tân Trung
    // (07309), An Dương (07321) and Liên Sơn (07327), each whole.
    let srb = |code: &str, boys: f64, girls: f64| {
        json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": code, "period": "2024", "sex": "TOTAL",
                "value": (boys / girls * 1000.0).round() / 10.0, "numerator": boys, "denominator": girls })
    };
    push(&app, &admin, json!([srb("07306", 60.0, 50.0), srb("07309", 55.0, 50.0), srb("07321", 50.0, 50.0)])).await;
    // 07306 in 2024 is the old township: its own value.
    let own = progress(&app, &admin, "M4.CT1", Some("07306"), Some("2024")).await;
    assert_eq!((own["value"].as_f64(), own["derived"].as_bool()), (Some(120.0), Some(false)));
    // Today's 07306, for 2024: one predecessor (Liên Sơn) is missing.
    let new = app.data(&admin, r#"{ area(code: "07306") { name validFrom predecessors { code } } }"#, json!({})).await;
    assert_eq!(new["area"]["name"], "Xã Nhã Nam");
    assert_eq!(new["area"]["predecessors"].as_array().map(Vec::len), Some(4));
    // Today's 07306 (no period: the unit holding the code now), for 2024: one predecessor
    // (Liên Sơn) is missing, so nothing; once it is there, the four summed.
    assert_eq!(progress(&app, &admin, "M4.CT1", Some("07306"), None).await["status"], "NO_DATA");
    push(&app, &admin, json!([srb("07327", 45.0, 50.0)])).await;
    let p = progress(&app, &admin, "M4.CT1", Some("07306"), None).await;
    assert_eq!((p["derived"].as_bool(), p["period"].as_str()), (Some(true), Some("2024")), "{p}");
    assert!((p["value"].as_f64().unwrap_or_default() - 210.0 / 200.0 * 100.0).abs() < 1e-9, "{p}");
}

#[tokio::test]
async fn a_roll_up_never_reads_past_the_callers_area() {
    let app = TestApp::seeded().await;
    push(
        &app,
        &app.admin(),
        srb_2025(&[
            ("07246", 100.0, 90.0),
            ("07264", 110.0, 100.0),
            ("07282", 120.0, 100.0),
            ("07288", 90.0, 80.0),
            ("07294", 80.0, 70.0),
        ]),
    )
    .await;
    let admin = progress(&app, &app.admin(), "M4.CT1", Some("215"), Some("2025")).await;
    assert_eq!(admin["derived"], true);
    // A token of old Bắc Giang (24 as it was in 2024) reads the Tân Yên plan and Yên Thế's
    // history, not the new communes that took Yên Thế over: no compiled value from them.
    let bac_giang = app.token_on(Role::Dashboard, "24", "2024-01-01");
    let old = progress(&app, &bac_giang, "M4.CT1", Some("215"), Some("2025")).await;
    assert_eq!(old, json!({ "status": "NO_DATA", "value": null, "period": null, "derived": false }));
    // The new Bắc Ninh (24 today) reaches both.
    let bac_ninh = app.token(Role::Dashboard, None, Some("24"));
    assert_eq!(progress(&app, &bac_ninh, "M4.CT1", Some("215"), Some("2025")).await["derived"], true);
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
