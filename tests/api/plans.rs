//! Reading a plan as a newcomer would: Tân Yên's plan with its objectives, targets,
//! indicators, lead agencies and deadlines.

use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const FULL_PLAN: &str = r#"query($code: String!) {
  plan(code: $code) {
    code documentNumber title startYear endYear issuedOn source note
    issuer { code name kind }
    area { code name level validTo }
    reportingDeadlines { periodKind dueDay dueMonth }
    objectives {
      code number title domain
      targets {
        code text comparator value targetYear note
        indicator { code nameVi nameEn unit direction sexDisaggregated sensitive sdgCode }
        assignments { role scope agency { code name kind } }
      }
    }
  }
}"#;

fn target<'a>(plan: &'a Value, code: &str) -> &'a Value {
    plan["objectives"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["targets"].as_array().into_iter().flatten())
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no target {code}"))
}

#[tokio::test]
async fn a_district_reporter_reads_tan_yens_plan_whole() {
    let app = TestApp::seeded().await;
    let token = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    let data = app.data(&token, FULL_PLAN, json!({ "code": "tan-yen-bdg-2021-2025" })).await;
    let plan = &data["plan"];

    assert_eq!(plan["startYear"], 2021);
    assert_eq!(plan["endYear"], 2025);
    assert!(plan["documentNumber"].is_null());
    assert!(plan["issuedOn"].is_null());
    assert_eq!(
        plan["area"],
        json!({ "code": "216", "name": "Huyện Tân Yên", "level": "DISTRICT", "validTo": "2025-06-30" })
    );
    assert_eq!(plan["issuer"]["kind"], "PEOPLE_COMMITTEE");
    assert_eq!(
        plan["reportingDeadlines"],
        json!([{ "periodKind": "SEMIANNUAL", "dueDay": 10, "dueMonth": 6 }, { "periodKind": "ANNUAL", "dueDay": 1, "dueMonth": 12 }])
    );
    let domains: Vec<&str> =
        plan["objectives"].as_array().expect("objectives").iter().filter_map(|o| o["domain"].as_str()).collect();
    assert_eq!(
        domains,
        ["POLITICS", "ECONOMY_LABOUR", "FAMILY_GBV", "HEALTH", "EDUCATION", "INFORMATION_COMMUNICATION"]
    );

    let srb = target(plan, "M4.CT1");
    assert_eq!(srb["comparator"], "AT_MOST");
    assert_eq!(srb["value"], 115.0);
    assert_eq!(srb["targetYear"], 2025);
    assert_eq!(srb["indicator"]["code"], "SEX_RATIO_AT_BIRTH");
    assert_eq!(srb["indicator"]["unit"], "RATIO_PER_100");
    assert!(srb["text"].as_str().expect("text").contains("không vượt quá 115 bé trai/100 bé"));
    assert_eq!(srb["assignments"][0]["role"], "LEAD");
    assert_eq!(srb["assignments"][0]["agency"]["code"], "216-YTE");
    assert_eq!(srb["assignments"][0]["agency"]["kind"], "HEALTH");

    let mmr = target(plan, "M4.CT2");
    assert_eq!((mmr["comparator"].as_str(), mmr["value"].as_f64()), (Some("LESS_THAN"), Some(15.0)));
    assert_eq!(mmr["indicator"]["sdgCode"], "3.1.1");

    // Objective 3 item 2 holds two measures, each its own target, split between two agencies.
    for code in ["M3.CT2a", "M3.CT2b"] {
        let t = target(plan, code);
        let scopes: Vec<(&str, &str)> = t["assignments"]
            .as_array()
            .expect("assignments")
            .iter()
            .map(|a| (a["agency"]["code"].as_str().unwrap_or_default(), a["scope"].as_str().unwrap_or_default()))
            .collect();
        assert!(scopes.contains(&("216-LDTBXH", "số liệu về bạo lực trên cơ sở giới")), "{code}: {scopes:?}");
        assert!(scopes.contains(&("216-VHTT", "số liệu về bạo lực gia đình")), "{code}: {scopes:?}");
        assert_eq!(t["indicator"]["sensitive"], true);
    }
}

#[tokio::test]
async fn qualitative_targets_keep_their_text_and_no_value() {
    let app = TestApp::seeded().await;
    let data = app.data(&app.admin(), FULL_PLAN, json!({ "code": "thai-nguyen-kh-59-2023" })).await;
    let plan = &data["plan"];
    assert_eq!(plan["documentNumber"], "59/KH-UBND");
    assert_eq!(plan["issuedOn"], "2023-04-13");
    for objective in plan["objectives"].as_array().expect("objectives") {
        for t in objective["targets"].as_array().expect("targets") {
            assert!(t["indicator"].is_null() && t["value"].is_null() && t["comparator"].is_null(), "{t}");
            assert!(!t["text"].as_str().unwrap_or_default().is_empty());
        }
    }
}

#[tokio::test]
async fn the_plan_hierarchy_runs_from_the_national_strategy_down() {
    let app = TestApp::seeded().await;
    let data = app
        .data(
            &app.admin(),
            r#"{ plan(code: "nq-28-2021") { documentNumber issuedOn objectives { code } children { code children { code } } } }"#,
            json!({}),
        )
        .await;
    let plan = &data["plan"];
    assert_eq!(plan["documentNumber"], "28/NQ-CP");
    assert_eq!(plan["issuedOn"], "2021-03-03");
    assert_eq!(plan["objectives"], json!([]));
    let mut tree: Vec<(String, Vec<String>)> = plan["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| {
            let kids = c["children"]
                .as_array()
                .expect("grandchildren")
                .iter()
                .map(|g| g["code"].as_str().unwrap_or_default().to_owned())
                .collect();
            (c["code"].as_str().unwrap_or_default().to_owned(), kids)
        })
        .collect();
    tree.sort();
    assert_eq!(
        tree,
        [
            ("bac-giang-kh-311-2021".to_owned(), vec!["tan-yen-bdg-2021-2025".to_owned()]),
            ("son-la-kh-111-2021".to_owned(), vec!["bac-yen-bdg-2021-2025".to_owned()]),
            ("thai-nguyen-kh-191-2021".to_owned(), vec!["thai-nguyen-bdt-bdg-2021-2025".to_owned()]),
            ("thai-nguyen-kh-59-2023".to_owned(), vec![]),
            ("thua-thien-hue-kh-212-2021".to_owned(), vec!["huong-tra-bdg-2021-2025".to_owned()]),
        ]
    );
}

#[tokio::test]
async fn seeding_twice_leaves_the_same_rows() {
    let app = TestApp::seeded().await;
    let before = app.data(&app.admin(), FULL_PLAN, json!({ "code": "huong-tra-bdg-2021-2025" })).await;
    let seeds = gender_data_hub::seeds::SeedSet::load(crate::helpers::base::seeds_dir()).expect("load");
    let counts = app.store.apply_seeds(&seeds).await.expect("seed again");
    assert_eq!(Some(counts), app.seed_counts);
    let after = app.data(&app.admin(), FULL_PLAN, json!({ "code": "huong-tra-bdg-2021-2025" })).await;
    assert_eq!(before, after);
}
