//! `seed --demo`: synthetic values a newcomer can explore, marked as such, only on request.

use gender_data_hub::domain::demo::{DEMO_COMMENT, DEMO_SUBJECT};
use gender_data_hub::service::demo;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn demo_values_are_marked_synthetic_and_show_progress_and_gaps() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let count = "{ observations { totalCount } }";
    assert_eq!(app.data(&admin, count, json!({})).await["observations"]["totalCount"], 0, "seeding alone adds values");

    let summary = demo::load(app.store.as_ref()).await.expect("demo");
    assert_eq!((summary.rejected, summary.updated), (0, 0));
    assert!(summary.created > 300, "{summary:?}");
    let again = demo::load(app.store.as_ref()).await.expect("demo again");
    assert_eq!((again.created, again.unchanged), (0, summary.created));

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
