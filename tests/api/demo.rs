//! `seed --demo`: synthetic values a newcomer can explore, marked as such, only on request.

use gender_data_hub::domain::demo::{DEMO_COMMENT, DEMO_SUBJECT};
use gender_data_hub::service::demo;
use serde_json::json;

use crate::helpers::push::{counts, obs};
use crate::helpers::TestApp;

#[tokio::test]
async fn demo_values_are_marked_synthetic_and_show_progress_and_gaps() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let count = "{ observations { totalCount } }";
    assert_eq!(app.data(&admin, count, json!({})).await["observations"]["totalCount"], 0, "seeding alone adds values");

    let demo = demo::load(app.store.as_ref()).await.expect("demo");
    let summary = demo.push;
    assert_eq!((summary.rejected, summary.updated, demo.skipped), (0, 0, 0));
    assert!(summary.created > 300, "{summary:?}");
    // A second run finds every key taken: it writes nothing, and pushes nothing.
    let pushes = "SELECT COUNT(*) FROM audit_log WHERE action = 'PUSH'";
    let pushes_before = app.count(pushes).await;
    let again = demo::load(app.store.as_ref()).await.expect("demo again");
    assert_eq!((again.push.created, again.push.unchanged, again.skipped), (0, 0, summary.created));
    assert_eq!(app.count(pushes).await, pushes_before);

    let page = app
        .data(
            &admin,
            "{ observations(first: 1000) { totalCount edges { node { comment history { reportedBy } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(page["observations"]["totalCount"], summary.created);
    for edge in page["observations"]["edges"].as_array().expect("edges") {
        assert_eq!(edge["node"]["comment"], DEMO_COMMENT);
        assert_eq!(edge["node"]["history"][0]["reportedBy"], DEMO_SUBJECT);
    }

    let gap = app
        .data(&admin, r#"{ genderGap(indicatorCode: "EM_PRIMARY_COMPLETION_PCT", areaCode: "216", period: "2024") { female male difference } }"#, json!({}))
        .await;
    assert!(gap["genderGap"]["difference"].as_f64().is_some_and(|d| d > 0.0), "{gap}");
    let progress = app
        .data(
            &admin,
            r#"{ plan(code: "tan-yen-bdg-2021-2025") { objectives { targets { code progress { status period } } } } }"#,
            json!({}),
        )
        .await;
    let statuses: Vec<&str> = progress["plan"]["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .flat_map(|o| o["targets"].as_array().into_iter().flatten())
        .filter_map(|t| t["progress"]["status"].as_str())
        .collect();
    assert!(statuses.iter().all(|s| *s != "NO_DATA"), "every measured target of Tân Yên has demo data: {statuses:?}");
}

/// The demo writes only keys that hold no value: an approved figure stays as reported, and so
/// does a rejected one (it was reported all the same).
#[tokio::test]
async fn demo_values_never_overwrite_reported_ones() {
    let app = TestApp::seeded().await;
    let office = app.office();
    let rows = vec![
        obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.4),
        obs("SEX_RATIO_AT_BIRTH", "216", "2023", "TOTAL", 150.0),
    ];
    let pushed = app.push(&office, rows).await;
    assert_eq!(counts(&pushed), (2, 0, 0, 0), "{pushed}");
    let ids = app.observation_ids(&office, json!({ "period": "2024" })).await;
    app.approve(&office, ids).await;
    let ids = app.observation_ids(&office, json!({ "period": "2023" })).await;
    app.reject(&office, ids, "a typo").await;

    let demo = demo::load(app.store.as_ref()).await.expect("demo");
    assert_eq!(demo.skipped, 2, "{demo:?}");
    assert!(demo.push.created > 300, "{demo:?}");
    let reported =
        "SELECT COUNT(*) FROM observations WHERE indicator_code = 'SEX_RATIO_AT_BIRTH' AND area_id IN (SELECT id FROM areas WHERE code = '216') \
                    AND period IN ('2023', '2024') AND revision = 1 AND reported_by <> 'seed --demo (synthetic)'";
    assert_eq!(app.count(reported).await, 2, "both reported values keep their first and only revision");
    let approved =
        "SELECT COUNT(*) FROM observations WHERE indicator_code = 'SEX_RATIO_AT_BIRTH' AND area_id IN (SELECT id FROM areas WHERE code = '216') \
                    AND period = '2024' AND value = 112.4 AND status = 'APPROVED'";
    assert_eq!(app.count(approved).await, 1);
    let synthetic =
        "SELECT COUNT(*) FROM observations WHERE indicator_code = 'SEX_RATIO_AT_BIRTH' AND area_id IN (SELECT id FROM areas WHERE code = '216') \
                     AND period IN ('2021', '2022') AND reported_by = 'seed --demo (synthetic)'";
    assert_eq!(app.count(synthetic).await, 2, "the years with no value get their demo value");
}
