//! The map as users look it up: units by name, by code and day, their successions, and a
//! name written where a code belongs; and an old database upgrading in place.

use gender_data_hub::auth::{IssueRequest, Role};
use serde_json::{json, Value};

use crate::helpers::TestApp;

fn codes(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|a| a["code"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn the_whole_map_is_served_before_and_after_the_reform() {
    let app = TestApp::seeded().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM areas").await, 14_150);
    let admin = app.admin();
    let count = |query: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move { app.data(&admin, query, json!({})).await["areas"].as_array().map_or(0, Vec::len) }
    };
    assert_eq!(count(r#"{ areas(level: PROVINCE, validOn: "2024-12-31") { code } }"#).await, 63);
    assert_eq!(count(r#"{ areas(level: DISTRICT, validOn: "2024-12-31") { code } }"#).await, 696);
    assert_eq!(count(r#"{ areas(level: COMMUNE, validOn: "2024-12-31") { code } }"#).await, 10_035);
    assert_eq!(count(r#"{ areas(level: PROVINCE, validOn: "2026-12-01") { code } }"#).await, 34);
    assert_eq!(count(r#"{ areas(level: COMMUNE, validOn: "2026-12-01") { code } }"#).await, 3_321);
    assert_eq!(
        count(r#"{ areas(level: DISTRICT, validOn: "2026-12-01") { code } }"#).await,
        0,
        "no districts since the reform"
    );
}

#[tokio::test]
async fn a_code_names_the_unit_that_held_it_on_the_day_asked() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let query = r#"query($on: Date) { area(code: "24", validOn: $on) {
        name validFrom validTo location { lat lon } areaKm2 source
        predecessors { code name } successors { code name }
        successions { predecessor { code } successor { code } effectiveOn whole } } }"#;
    let now = app.data(&admin, query, json!({})).await;
    let bac_ninh = &now["area"];
    assert_eq!(
        (&bac_ninh["name"], &bac_ninh["validFrom"], &bac_ninh["validTo"]),
        (&json!("Tỉnh Bắc Ninh"), &json!("2025-07-01"), &Value::Null)
    );
    let mut predecessors: Vec<&str> =
        bac_ninh["predecessors"].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str()).collect();
    predecessors.sort_unstable();
    assert_eq!(predecessors, ["Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"]);
    assert!(bac_ninh["location"]["lat"].as_f64().is_some_and(|lat| (20.0..22.5).contains(&lat)), "{now}");
    assert!(bac_ninh["areaKm2"].as_f64().is_some_and(|km2| km2 > 4_000.0), "{now}");
    let links = bac_ninh["successions"].as_array().cloned().unwrap_or_default();
    assert_eq!(links.len(), 2);
    assert!(links
        .iter()
        .all(|l| l["whole"] == true && l["effectiveOn"] == "2025-07-01" && l["successor"]["code"] == "24"));

    let then = app.data(&admin, query, json!({ "on": "2024-06-01" })).await;
    let bac_giang = &then["area"];
    assert_eq!((&bac_giang["name"], &bac_giang["validTo"]), (&json!("Tỉnh Bắc Giang"), &json!("2025-06-30")));
    assert_eq!(codes(&bac_giang["successors"]), ["24"]);
    assert!(bac_giang["source"].as_str().is_some_and(|s| s.starts_with("004")), "the document that names it: {then}");
    // A code no unit holds today names its last holder; a code no unit ever held is unknown.
    let tan_yen = app.data(&admin, r#"{ area(code: "216") { name validTo } }"#, json!({})).await;
    assert_eq!(tan_yen["area"], json!({ "name": "Huyện Tân Yên", "validTo": "2025-06-30" }));
    assert_eq!(app.error_code(&admin, r#"{ area(code: "99999") { name } }"#, json!({})).await, "NOT_FOUND");
    // A unit that did not exist yet on the day asked.
    let (_, body) =
        app.graphql(Some(&admin), r#"{ area(code: "07339", validOn: "2020-01-01") { name } }"#, json!({})).await;
    assert_eq!(body["data"]["area"]["name"], "Thị trấn Cao Thượng", "07339 was the township before it was Xã Tân Yên");
}

#[tokio::test]
async fn a_divided_commune_shows_each_part_as_partial() {
    let app = TestApp::seeded().await;
    let query = r#"{ area(code: "07042", validOn: "2025-01-01") { name successions { successor { code } whole } } }"#;
    let data = app.data(&app.admin(), query, json!({})).await;
    let links = data["area"]["successions"].as_array().cloned().unwrap_or_default();
    assert!(links.len() >= 2, "{data}");
    assert!(links.iter().all(|l| l["whole"] == false), "{data}");
}

#[tokio::test]
async fn units_are_found_by_name_with_or_without_diacritics_and_type_word() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let search = r#"query($q: String) { areas(search: $q) { code name validFrom validTo } }"#;
    let mut found = Vec::new();
    for q in ["tan yen", "Tân Yên", "Huyện Tân Yên", "  TAN   YÊN "] {
        let data = app.data(&admin, search, json!({ "q": q })).await;
        found.push(codes(&data["areas"]));
    }
    assert!(found.windows(2).all(|w| w[0] == w[1]), "{found:?}");
    let first = &found[0];
    assert!(first.contains(&"216".to_owned()) && first.contains(&"07339".to_owned()), "{first:?}");
    // the name itself first: Huyện Tân Yên and Xã Tân Yên before names that merely hold it
    let data = app.data(&admin, search, json!({ "q": "tan yen" })).await;
    let names: Vec<&str> = data["areas"].as_array().into_iter().flatten().filter_map(|a| a["name"].as_str()).collect();
    assert!(names.iter().take(2).all(|n| n.ends_with("Tân Yên")), "{names:?}");
    // within a day and a caller's area
    let today = app.data(&admin, r#"{ areas(search: "tan yen", validOn: "2026-01-01") { code } }"#, json!({})).await;
    assert!(!codes(&today["areas"]).contains(&"216".to_owned()));
    let son_la = app.token(Role::Dashboard, None, Some("14"));
    let outside = app.data(&son_la, r#"{ areas(search: "tan yen") { code } }"#, json!({})).await;
    assert!(!codes(&outside["areas"]).contains(&"216".to_owned()));
}

#[tokio::test]
async fn a_name_where_a_code_belongs_is_answered_with_the_units_of_that_name() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let row = json!([{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "Tân Yên", "period": "2024", "sex": "TOTAL", "value": 110.0 }]);
    let summary = app.push(&admin, row).await;
    assert_eq!(summary["rejected"], 1, "{summary}");
    let error = &summary["errors"][0];
    assert_eq!((&error["code"], &error["field"]), (&json!("UNKNOWN_AREA"), &json!("areaCode")));
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("216 Huyện Tân Yên (… – 2025-06-30)"), "{message}");
    assert!(message.contains("07339 Xã Tân Yên (2025-07-01 – …)"), "{message}");
    // the same for a read
    let (_, body) = app.graphql(Some(&admin), r#"{ area(code: "Huyện Tân Yên") { name } }"#, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("216 Huyện Tân Yên")), "{body}");
    // and a code of nothing is just unknown
    let summary = app
        .push(&admin, json!([{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "xyz", "period": "2024", "sex": "TOTAL", "value": 110.0 }]))
        .await;
    assert_eq!(summary["errors"][0]["message"], "no area `xyz`");
}

#[tokio::test]
async fn tokens_name_the_unit_of_their_day() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let issue = r#"mutation($on: Date) { issueToken(input: { role: DASHBOARD, areaCode: "24", areaValidOn: $on, ttlSeconds: 600 }) { token } }"#;
    let me = "{ me { area { name validTo } } }";
    let now = app.data(&admin, issue, json!({})).await;
    let token = now["issueToken"]["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(app.data(&token, me, json!({})).await["me"]["area"]["name"], "Tỉnh Bắc Ninh");
    let old = app.data(&admin, issue, json!({ "on": "2024-01-01" })).await;
    let old = old["issueToken"]["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        app.data(&old, me, json!({})).await["me"]["area"],
        json!({ "name": "Tỉnh Bắc Giang", "validTo": "2025-06-30" })
    );
    // Old Bắc Giang reads Tân Yên but not old Bắc Ninh, which the new province took over too.
    assert_eq!(app.data(&old, r#"{ area(code: "216") { name } }"#, json!({})).await["area"]["name"], "Huyện Tân Yên");
    assert_eq!(app.error_code(&old, r#"{ area(code: "27") { name } }"#, json!({})).await, "FORBIDDEN");
    assert_eq!(app.data(&token, r#"{ area(code: "27") { name } }"#, json!({})).await["area"]["name"], "Tỉnh Bắc Ninh");
    // A token from before units had days (no `area_on`) names the code's first holder: it
    // meant Bắc Giang, and does not grow into the new Bắc Ninh's reach.
    let legacy = app
        .keys
        .issue(IssueRequest {
            role: Role::Dashboard,
            subject: None,
            agency_code: None,
            area_code: Some("24".into()),
            area_on: None,
            ttl: chrono::Duration::hours(1),
        })
        .expect("issue")
        .token;
    assert_eq!(app.data(&legacy, me, json!({})).await["me"]["area"]["name"], "Tỉnh Bắc Giang");
    assert_eq!(app.error_code(&legacy, r#"{ area(code: "27") { name } }"#, json!({})).await, "FORBIDDEN");
    // A day before any unit held the code (Đặc khu Côn Đảo, new in 2025 under a new code),
    // and a name for a code, are refused.
    let (_, body) = app
        .graphql(Some(&admin), r#"mutation { issueToken(input: { role: DASHBOARD, areaCode: "26732", areaValidOn: "2024-01-01" }) { token } }"#, json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let (_, body) = app
        .graphql(
            Some(&admin),
            r#"mutation { issueToken(input: { role: DASHBOARD, areaCode: "Tân Yên" }) { token } }"#,
            json!({}),
        )
        .await;
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("216 Huyện Tân Yên")), "{body}");
}

/// A database of before the map (areas keyed by code, values under them) upgrades in place:
/// every value keeps its unit and revision, and the map is loaded around them.
#[tokio::test]
async fn an_old_database_upgrades_in_place_keeping_its_values() {
    let now = "2024-03-01T00:00:00Z";
    let rows = [
        "INSERT INTO areas (code, name, level) VALUES ('VN', 'Việt Nam', 'NATION')".to_owned(),
        "INSERT INTO areas (code, name, level, parent_code) VALUES ('24', 'Tỉnh Bắc Giang', 'PROVINCE', 'VN')".to_owned(),
        "INSERT INTO areas (code, name, level, parent_code, valid_to) VALUES ('216', 'Huyện Tân Yên', 'DISTRICT', '24', '2025-06-30')".to_owned(),
        "INSERT INTO indicators (code, name_vi, name_en, unit, sex_disaggregated, sensitive) \
         VALUES ('SEX_RATIO_AT_BIRTH', 'Tỷ số giới tính khi sinh', 'Sex ratio at birth', 'RATIO_PER_100', FALSE, FALSE)".to_owned(),
        format!("INSERT INTO observations (indicator_code, area_code, period, sex, value, status, revision, reported_by, reported_at, approved_revision) \
         VALUES ('SEX_RATIO_AT_BIRTH', '216', '2024', 'TOTAL', 112.4, 'APPROVED', 2, 'office', '{now}', 2)"),
        format!("INSERT INTO observation_revisions (observation_id, revision, value, status, reported_by, reported_at) \
         VALUES (1, 1, 113.0, 'SUBMITTED', 'office', '{now}'), (1, 2, 112.4, 'APPROVED', 'office', '{now}')"),
        format!("INSERT INTO observations (indicator_code, area_code, period, sex, value, status, revision, reported_by, reported_at) \
         VALUES ('SEX_RATIO_AT_BIRTH', '24', '2024', 'TOTAL', 111.0, 'SUBMITTED', 1, 'office', '{now}')"),
        // filed before the map knew that Bắc Giang ended on 2025-06-30
        format!("INSERT INTO observations (indicator_code, area_code, period, sex, value, status, revision, reported_by, reported_at) \
         VALUES ('SEX_RATIO_AT_BIRTH', '24', '2025-Q3', 'TOTAL', 109.0, 'SUBMITTED', 1, 'office', '{now}')"),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let app = TestApp::builder().upgraded_from(5, &rows).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM areas").await, 14_150, "the map around the old units, none twice");
    assert_eq!(app.count("SELECT COUNT(*) FROM observation_revisions").await, 2);
    let query = r#"{ observations(filter: { areaCode: "24", includeDescendants: true }) { edges { node {
        value status revision area { code name validTo } history { revision value } } } } }"#;
    let data = app.data(&app.admin(), query, json!({})).await;
    let nodes: Vec<Value> =
        data["observations"]["edges"].as_array().into_iter().flatten().map(|e| e["node"].clone()).collect();
    assert_eq!(nodes.len(), 3, "{data}");
    assert_eq!(
        nodes[0],
        json!({ "value": 112.4, "status": "APPROVED", "revision": 2,
                "area": { "code": "216", "name": "Huyện Tân Yên", "validTo": "2025-06-30" },
                "history": [{ "revision": 1, "value": 113.0 }, { "revision": 2, "value": 112.4 }] })
    );
    assert_eq!(
        nodes[1]["area"],
        json!({ "code": "24", "name": "Tỉnh Bắc Giang", "validTo": "2025-06-30" }),
        "the old unit, now ended"
    );
    // A value of a period the old unit did not live to see stays with it, and seeding says so.
    assert_eq!((&nodes[2]["value"], &nodes[2]["area"]["validTo"]), (&json!(109.0), &json!("2025-06-30")));
    let report = gender_data_hub::service::seeding::seed(app.store.as_ref(), Some(crate::helpers::base::seeds_dir()))
        .await
        .expect("seed again");
    let warned = |text: &str| report.warnings.iter().any(|w| w.contains(text));
    assert!(
        warned("1 value(s) of 2025-Q3 are filed under 24 Tỉnh Bắc Giang (… – 2025-06-30)"),
        "{:?}",
        report.warnings
    );
    assert!(!warned("of 2024 "), "{:?}", report.warnings);
    // New values for 24 in 2026 go to the new unit, next to the old one's.
    let summary = app
        .push(&app.admin(), json!([{ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "24", "period": "2026", "sex": "TOTAL", "value": 110.0 }]))
        .await;
    assert_eq!(summary["created"], 1, "{summary}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM observations o JOIN areas a ON a.id = o.area_id WHERE a.code = '24' AND a.valid_from IS NOT NULL").await,
        1
    );
}

#[tokio::test]
async fn a_walk_of_the_whole_maps_successions_is_refused_before_it_runs() {
    let app = TestApp::seeded().await;
    let walk = "{ areas { successions { successor { successions { predecessor { successions { successor { code } } } } } } } }";
    let (_, body) = app.graphql(Some(&app.admin()), walk, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("complex")), "{body}");
    // one unit's links, two steps out, is fine
    let near = r#"{ area(code: "24") { successions { predecessor { code successions { successor { code } } } } } }"#;
    assert!(app.data(&app.admin(), near, json!({})).await["area"]["successions"].is_array());
}

#[tokio::test]
async fn a_code_with_a_period_reads_the_unit_of_that_period_only() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let srb = |code: &str, value: f64| json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": code, "period": "2023", "sex": "TOTAL", "value": value });
    let summary = app.push(&admin, json!([srb("24", 111.0), srb("27", 112.0)])).await;
    assert_eq!(summary["created"], 2, "{summary}");
    let read = |period: Option<&str>| {
        let filter = match period {
            Some(p) => json!({ "areaCode": "24", "includeDescendants": true, "period": p }),
            None => json!({ "areaCode": "24", "includeDescendants": true }),
        };
        let app = &app;
        let admin = admin.clone();
        async move {
            let data = app
                .data(
                    &admin,
                    "query($f: ObservationFilter) { observations(filter: $f) { edges { node { value } } } }",
                    json!({ "f": filter }),
                )
                .await;
            let mut values: Vec<f64> = data["observations"]["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["node"]["value"].as_f64())
                .collect();
            values.sort_by(f64::total_cmp);
            values
        }
    };
    // 24 in 2023 is Bắc Giang: old Bắc Ninh's value is not under it
    assert_eq!(read(Some("2023")).await, [111.0]);
    // without a period, 24 is every unit that held it, the new Bắc Ninh's history included
    assert_eq!(read(None).await, [111.0, 112.0]);
    // a code and a day no unit held: no children, not an error
    let none = app.data(&admin, r#"{ areas(parentCode: "216", validOn: "2026-01-01") { code } }"#, json!({})).await;
    assert_eq!(none["areas"], json!([]));
}
