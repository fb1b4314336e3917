//! Cells for dashboards (indicators × areas × periods × sex, own or rolled up), a plan's
//! scorecard and an indicator's latest value: live, scoped, and as partners may read them.

use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::push::YEN_THE_2025;
use crate::helpers::TestApp;

const CELLS: &str = "query($i: [String!]!, $a: [String!], $c: String, $l: AreaLevel, $p: [String!], $from: String, $to: String, $s: [Sex!]) { \
    cells(indicatorCodes: $i, areaCodes: $a, childrenOf: $c, level: $l, periods: $p, periodFrom: $from, periodTo: $to, sex: $s) { \
      indicator { code } area { code name } period sex value numerator denominator status derived suppressed } }";

async fn cells(app: &TestApp, token: &str, variables: Value) -> Vec<Value> {
    app.data(token, CELLS, variables).await["cells"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(cells: &'a [Value], area: &str, period: &str, sex: &str) -> &'a Value {
    cells
        .iter()
        .find(|c| c["area"]["code"] == area && c["period"] == period && c["sex"] == sex)
        .unwrap_or_else(|| panic!("no cell {area} {period} {sex} in {cells:?}"))
}

fn rate(indicator: &str, area: &str, period: &str, sex: &str, n: f64, d: f64) -> Value {
    json!({ "indicatorCode": indicator, "areaCode": area, "period": period, "sex": sex,
            "value": (n / d * 1000.0).round() / 10.0, "numerator": n, "denominator": d })
}

async fn push(app: &TestApp, token: &str, rows: Value) {
    let summary = app.push(token, rows).await;
    assert_eq!(summary["rejected"], 0, "{summary}");
}

const KNOWLEDGE: &str = "POPULATION_GE_KNOWLEDGE_PCT";

#[tokio::test]
async fn cells_give_own_values_with_their_status_and_roll_up_the_rest_live() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    // Old Bắc Giang (24) and old Bắc Ninh (27) in 2024, merged into the new Bắc Ninh (24).
    push(
        &app,
        &admin,
        json!([rate(KNOWLEDGE, "24", "2024", "TOTAL", 90.0, 100.0), rate(KNOWLEDGE, "27", "2024", "TOTAL", 5.0, 10.0)]),
    )
    .await;
    let ids = app.observation_ids(&admin, json!({ "areaCode": "24", "period": "2024" })).await;
    app.approve(&admin, ids).await;

    let listed =
        cells(&app, &admin, json!({ "i": [KNOWLEDGE], "a": ["24", "27"], "p": ["2024"], "s": ["TOTAL"] })).await;
    assert_eq!(listed.len(), 2);
    let bac_giang = find(&listed, "24", "2024", "TOTAL");
    assert_eq!(bac_giang["area"]["name"], "Tỉnh Bắc Giang", "24 in 2024 is Bắc Giang");
    assert_eq!((bac_giang["value"].as_f64(), bac_giang["numerator"].as_f64()), (Some(90.0), Some(90.0)));
    assert_eq!((&bac_giang["status"], &bac_giang["derived"]), (&json!("APPROVED"), &json!(false)));
    assert_eq!(find(&listed, "27", "2024", "TOTAL")["status"], "SUBMITTED");

    // The provinces as they stand at the end of 2025: the new Bắc Ninh's 2024 is rolled up
    // from its two predecessors (95 of 110, not the mean of 90% and 50%); 2025 has no value.
    let provinces =
        cells(&app, &admin, json!({ "i": [KNOWLEDGE], "c": "VN", "l": "PROVINCE", "from": "2024", "to": "2025" }))
            .await;
    assert_eq!(provinces.len(), 34 * 2 * 3, "34 provinces, two years, three sexes");
    let new_bac_ninh = find(&provinces, "24", "2024", "TOTAL");
    assert_eq!(new_bac_ninh["area"]["name"], "Tỉnh Bắc Ninh");
    assert_eq!((&new_bac_ninh["derived"], &new_bac_ninh["status"]), (&json!(true), &Value::Null));
    assert!((new_bac_ninh["value"].as_f64().unwrap_or_default() - 95.0 / 110.0 * 100.0).abs() < 1e-9);
    assert_eq!((new_bac_ninh["numerator"].as_f64(), new_bac_ninh["denominator"].as_f64()), (Some(95.0), Some(110.0)));
    let empty = find(&provinces, "24", "2025", "TOTAL");
    assert_eq!((&empty["value"], &empty["derived"], &empty["status"]), (&Value::Null, &json!(false), &Value::Null));
    assert_eq!(find(&provinces, "24", "2024", "FEMALE")["value"], Value::Null);

    // A value pushed shows in the next answer.
    push(&app, &admin, json!([rate(KNOWLEDGE, "24", "2025", "TOTAL", 70.0, 100.0)])).await;
    let provinces = cells(
        &app,
        &admin,
        json!({ "i": [KNOWLEDGE], "c": "VN", "l": "PROVINCE", "from": "2024", "to": "2025", "s": ["TOTAL"] }),
    )
    .await;
    assert_eq!(provinces.len(), 34 * 2);
    let now = find(&provinces, "24", "2025", "TOTAL");
    assert_eq!(
        (now["value"].as_f64(), &now["status"], &now["derived"]),
        (Some(70.0), &json!("SUBMITTED"), &json!(false))
    );
}

#[tokio::test]
async fn an_ended_district_is_rolled_up_from_its_successors_and_units_under_an_area_are_listed() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let rows: Vec<Value> = YEN_THE_2025
        .iter()
        .map(|(code, boys, girls)| rate("SEX_RATIO_AT_BIRTH", code, "2025", "TOTAL", *boys, *girls))
        .collect();
    push(&app, &admin, Value::Array(rows)).await;
    let yen_the = cells(&app, &admin, json!({ "i": ["SEX_RATIO_AT_BIRTH"], "a": ["215"], "p": ["2025"] })).await;
    assert_eq!(yen_the.len(), 1, "not disaggregated by sex: the total alone");
    let cell = find(&yen_the, "215", "2025", "TOTAL");
    assert_eq!(cell["derived"], true);
    assert!((cell["value"].as_f64().unwrap_or_default() - 500.0 / 440.0 * 100.0).abs() < 1e-9, "{cell}");

    // The new Bắc Ninh's communes in 2025: each of the five with its own value.
    let communes =
        cells(&app, &admin, json!({ "i": ["SEX_RATIO_AT_BIRTH"], "c": "24", "l": "COMMUNE", "p": ["2025"] })).await;
    assert_eq!(communes.len(), 99);
    let reported: Vec<&str> =
        communes.iter().filter(|c| c["value"].is_number()).filter_map(|c| c["area"]["code"].as_str()).collect();
    assert_eq!(reported, ["07246", "07264", "07282", "07288", "07294"]);
    // A district's dashboard reads its own territory; the five communes are outside it.
    let tan_yen = app.token(Role::Dashboard, None, Some("216"));
    let (_, body) =
        app.graphql(Some(&tan_yen), CELLS, json!({ "i": ["SEX_RATIO_AT_BIRTH"], "a": ["07246"], "p": ["2025"] })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    let (_, body) = app
        .graphql(
            Some(&tan_yen),
            CELLS,
            json!({ "i": ["SEX_RATIO_AT_BIRTH"], "c": "24", "l": "COMMUNE", "p": ["2025"] }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    // A roll-up never reads past the caller's area: a token for Yên Thế reaches its old
    // communes, not the new ones that took it over, so it gets no 2025 figure.
    let yen_the_token = app.token(Role::Dashboard, None, Some("215"));
    let mine = cells(&app, &yen_the_token, json!({ "i": ["SEX_RATIO_AT_BIRTH"], "a": ["215"], "p": ["2025"] })).await;
    assert_eq!((&mine[0]["value"], &mine[0]["derived"]), (&Value::Null, &json!(false)), "{mine:?}");
}

#[tokio::test]
async fn partners_get_no_figure_of_a_suppressed_cell_nor_a_rolled_up_sensitive_one() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let gbv = "GBV_VICTIMS_SUPPORTED_PCT";
    // 2023 in Tân Yên: 3 of 4 women helped (small), 20 of 25 men, 23 of 29 in all.
    push(
        &app,
        &admin,
        json!([
            rate(gbv, "216", "2023", "FEMALE", 3.0, 4.0),
            rate(gbv, "216", "2023", "MALE", 20.0, 25.0),
            rate(gbv, "216", "2023", "TOTAL", 23.0, 29.0)
        ]),
    )
    .await;
    // 2025 in Yên Thế's five successors, large counts.
    let rows: Vec<Value> =
        YEN_THE_2025.iter().map(|(code, _, _)| rate(gbv, code, "2025", "TOTAL", 40.0, 50.0)).collect();
    push(&app, &admin, Value::Array(rows)).await;
    let ids = app.observation_ids(&admin, json!(null)).await;
    app.approve(&admin, ids).await;
    // A value submitted since is not the partner's to see.
    push(&app, &admin, json!([rate(gbv, "216", "2024", "TOTAL", 30.0, 40.0)])).await;

    let partner = app.token(Role::Partner, None, Some("24"));
    let seen = cells(&app, &partner, json!({ "i": [gbv], "a": ["216"], "p": ["2023", "2024"] })).await;
    for sex in ["FEMALE", "MALE"] {
        let cell = find(&seen, "216", "2023", sex);
        assert_eq!(
            (&cell["value"], &cell["numerator"], &cell["suppressed"]),
            (&Value::Null, &Value::Null, &json!(true)),
            "{cell}"
        );
    }
    let total = find(&seen, "216", "2023", "TOTAL");
    assert_eq!(
        (total["value"].as_f64(), &total["suppressed"], &total["status"]),
        (Some(79.3), &json!(false), &json!("APPROVED"))
    );
    assert_eq!(find(&seen, "216", "2024", "TOTAL")["value"], Value::Null, "submitted, not published");
    let rolled = cells(&app, &partner, json!({ "i": [gbv], "a": ["215"], "p": ["2025"], "s": ["TOTAL"] })).await;
    assert_eq!(
        (&rolled[0]["value"], &rolled[0]["derived"], &rolled[0]["suppressed"]),
        (&Value::Null, &json!(true), &json!(true))
    );
    // Internal roles see every figure.
    let rolled = cells(&app, &admin, json!({ "i": [gbv], "a": ["215"], "p": ["2025"], "s": ["TOTAL"] })).await;
    assert_eq!((rolled[0]["value"].as_f64(), &rolled[0]["suppressed"]), (Some(80.0), &json!(false)));
    let seen = cells(&app, &admin, json!({ "i": [gbv], "a": ["216"], "p": ["2023"] })).await;
    assert!(seen.iter().all(|c| c["value"].is_number() && c["suppressed"] == false), "{seen:?}");
}

#[tokio::test]
async fn a_request_of_cells_that_names_too_little_or_too_much_is_refused_naming_the_argument() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let srb = json!(["SEX_RATIO_AT_BIRTH"]);
    for (variables, code, argument) in [
        (json!({ "i": srb, "a": ["216"] }), "BAD_USER_INPUT", "periods"),
        (json!({ "i": srb, "a": ["216"], "p": [] }), "BAD_USER_INPUT", "periods"),
        (json!({ "i": srb, "a": ["216"], "p": ["2024"], "from": "2021", "to": "2022" }), "BAD_USER_INPUT", "periods"),
        (json!({ "i": srb, "a": ["216"], "p": ["2024-H1"] }), "BAD_USER_INPUT", "periods"),
        (json!({ "i": srb, "a": ["216"], "from": "2021", "to": "2024-06" }), "BAD_USER_INPUT", "periodTo"),
        (json!({ "i": srb, "p": ["2024"] }), "BAD_USER_INPUT", "childrenOf"),
        (json!({ "i": srb, "a": ["216"], "c": "24", "p": ["2024"] }), "BAD_USER_INPUT", "areaCodes"),
        (json!({ "i": srb, "a": [], "p": ["2024"] }), "BAD_USER_INPUT", "areaCodes"),
        (json!({ "i": [], "a": ["216"], "p": ["2024"] }), "BAD_USER_INPUT", "indicatorCodes"),
        (json!({ "i": srb, "c": "VN", "l": "COMMUNE", "from": "2021-01", "to": "2026-12" }), "BAD_USER_INPUT", "cells"),
    ] {
        let (_, body) = app.graphql(Some(&admin), CELLS, variables.clone()).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{variables}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["argument"], argument, "{variables}: {body}");
    }
    for variables in [
        json!({ "i": ["NO_SUCH_INDICATOR"], "a": ["216"], "p": ["2024"] }),
        json!({ "i": srb, "a": ["216", "99999"], "p": ["2024"] }),
        json!({ "i": srb, "c": "99999", "p": ["2024"] }),
    ] {
        let (_, body) = app.graphql(Some(&admin), CELLS, variables.clone()).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{variables}: {body}");
    }
}

const SCORECARD: &str = r#"query($p: String!) { plan(code: "tan-yen-bdg-2021-2025") {
    scorecard(period: $p) { met notMet noData objectives { objective { code } met notMet noData } }
    objectives { code targets { code progress(period: $p) { status } } } } }"#;

#[tokio::test]
async fn the_scorecard_counts_each_objectives_targets_as_their_progress_stands() {
    let app = TestApp::seeded().await;
    let office = app.office();
    let srb = |period: &str, value: f64| json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": period, "sex": "TOTAL", "value": value });
    push(&app, &office, json!([srb("2024", 112.0), srb("2025-S1", 118.0)])).await;

    for (period, met, not_met) in [("2024", 1, 0), ("2025-S1", 0, 1), ("2023", 0, 0)] {
        let plan = app.data(&office, SCORECARD, json!({ "p": period })).await["plan"].clone();
        let card = &plan["scorecard"];
        let objectives = plan["objectives"].as_array().expect("objectives");
        let targets: Vec<&Value> =
            objectives.iter().flat_map(|o| o["targets"].as_array().into_iter().flatten()).collect();
        let with = |status: &str| targets.iter().filter(|t| t["progress"]["status"] == status).count() as i64;
        assert_eq!((card["met"].as_i64(), card["notMet"].as_i64()), (Some(met), Some(not_met)), "{period}: {card}");
        assert_eq!(
            (with("MET"), with("NOT_MET"), with("NO_DATA")),
            (met, not_met, card["noData"].as_i64().unwrap_or(-1))
        );
        // By objective, in the plan's order, adding up to the whole.
        let scores = card["objectives"].as_array().expect("scores");
        assert_eq!(scores.len(), objectives.len());
        for (score, objective) in scores.iter().zip(objectives) {
            assert_eq!(score["objective"]["code"], objective["code"]);
            let n = objective["targets"].as_array().map_or(0, Vec::len) as i64;
            let sum: i64 = ["met", "notMet", "noData"].iter().filter_map(|k| score[*k].as_i64()).sum();
            assert_eq!(sum, n, "{score}");
        }
    }
    let (_, body) = app.graphql(Some(&office), SCORECARD, json!({ "p": "2024-H1" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

const LATEST: &str = r#"query($a: String!, $s: Sex) { indicator(code: "SEX_RATIO_AT_BIRTH") {
    latest(areaCode: $a, sex: $s) { period value status derived area { code } } } }"#;

#[tokio::test]
async fn the_latest_value_is_the_most_recent_period_with_one_own_or_rolled_up() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let latest = |area: &str| {
        let (app, admin) = (&app, admin.clone());
        let area = area.to_owned();
        async move { app.data(&admin, LATEST, json!({ "a": area })).await["indicator"]["latest"].clone() }
    };
    assert_eq!(latest("216").await, Value::Null);
    let srb = |period: &str, value: f64| json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": period, "sex": "TOTAL", "value": value });
    push(&app, &admin, json!([srb("2023", 111.0), srb("2024", 112.0)])).await;
    let cell = latest("216").await;
    assert_eq!(
        (&cell["period"], cell["value"].as_f64(), &cell["status"]),
        (&json!("2024"), Some(112.0), &json!("SUBMITTED"))
    );
    // Yên Thế has ended; its latest is 2025, rolled up from its five successors.
    let rows: Vec<Value> = YEN_THE_2025
        .iter()
        .map(|(code, boys, girls)| rate("SEX_RATIO_AT_BIRTH", code, "2025", "TOTAL", *boys, *girls))
        .collect();
    push(&app, &admin, Value::Array(rows)).await;
    let cell = latest("215").await;
    assert_eq!(
        (&cell["period"], &cell["derived"], &cell["area"]["code"]),
        (&json!("2025"), &json!(true), &json!("215"))
    );
    // No value for a sex the indicator is not reported by; an unknown area is NOT_FOUND.
    let female = app.data(&admin, LATEST, json!({ "a": "216", "s": "FEMALE" })).await;
    assert_eq!(female["indicator"]["latest"], Value::Null);
    assert_eq!(app.error_code(&admin, LATEST, json!({ "a": "99999" })).await, "NOT_FOUND");
    let ha_noi = app.token(Role::Dashboard, None, Some("01"));
    assert_eq!(app.error_code(&ha_noi, LATEST, json!({ "a": "216" })).await, "FORBIDDEN");
}
