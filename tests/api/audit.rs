//! The audit log: every push, approval, rejection, token issue and revocation, with who,
//! what, when and the request id; append-only; for admins.

use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::http::graphql_post;
use crate::helpers::push::{error_codes, obs, push_input, APPROVE, PUSH, REJECT};
use crate::helpers::tokens::REVOKE;
use crate::helpers::TestApp;

const LOG: &str = "query($action: AuditAction, $first: Int, $before: ID) { auditLog(action: $action, first: $first, before: $before) { \
    id at actor action target rows detail requestId } }";

async fn graphql_with_id(app: &TestApp, token: &str, query: &str, variables: Value, request_id: &str) -> Value {
    let mut request =
        graphql_post(token, "application/json", json!({ "query": query, "variables": variables }).to_string());
    request.headers_mut().insert("x-request-id", request_id.parse().expect("request id"));
    let (_, body) = app.send(request).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn each_write_is_recorded_with_who_what_and_the_request_id() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let office = app.office();
    let rows = json!([
        obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0),
        obs("SEX_RATIO_AT_BIRTH", "216", "2023", "TOTAL", 111.0)
    ]);
    graphql_with_id(&app, &office, PUSH, push_input(rows), "req-push").await;
    let ids = app.observation_ids(&office, json!(null)).await;
    graphql_with_id(&app, &office, APPROVE, json!({ "ids": [ids[0]] }), "req-approve").await;
    graphql_with_id(&app, &office, REJECT, json!({ "ids": [ids[1]], "reason": "wrong year" }), "req-reject").await;
    let issued = graphql_with_id(
        &app,
        &admin,
        "mutation { issueToken(input: { role: PARTNER, areaCode: \"216\" }) { jti } }",
        json!({}),
        "req-issue",
    )
    .await;
    let jti = issued["issueToken"]["jti"].as_str().expect("jti").to_owned();
    graphql_with_id(&app, &admin, REVOKE, json!({ "jti": jti }), "req-revoke").await;
    // A dry run writes nothing, so it records nothing.
    app.push_with(
        &office,
        json!([obs("SEX_RATIO_AT_BIRTH", "216", "2022", "TOTAL", 110.0)]),
        json!({ "dryRun": true }),
    )
    .await;
    // A push refused whole writes no value, and is recorded: here, Tân Yên's health office
    // pushing for Bắc Yên.
    let health = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    let outside = push_input(json!([obs("SEX_RATIO_AT_BIRTH", "121", "2024", "TOTAL", 110.0)]));
    let refused = graphql_with_id(&app, &health, PUSH, outside, "req-refused").await;
    assert_eq!(refused["submitObservations"]["rejected"], 1);

    let log = app.data(&admin, LOG, json!({})).await["auditLog"].as_array().cloned().expect("entries");
    let summary: Vec<(&str, &str, &str, i64)> = log
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["actor"].as_str().unwrap_or_default(),
                e["requestId"].as_str().unwrap_or_default(),
                e["rows"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("PUSH", "test-agency_reporter", "req-refused", 0),
            ("REVOKE_TOKEN", "test-admin", "req-revoke", 0),
            ("ISSUE_TOKEN", "test-admin", "req-issue", 0),
            ("REJECT", "test-statistics_office", "req-reject", 1),
            ("APPROVE", "test-statistics_office", "req-approve", 1),
            ("PUSH", "test-statistics_office", "req-push", 2),
        ]
    );
    assert_eq!(log[0]["detail"], "refused whole: 1 of 1 rows rejected (OUT_OF_AREA)");
    assert_eq!(log[5]["detail"], "created 2, updated 0, unchanged 0, rejected 0");
    assert_eq!(log[3]["detail"], "wrong year");
    assert_eq!(log[3]["target"], format!("observations {}", ids[1].as_str().unwrap_or_default()));
    assert!(log[1]["target"].as_str().unwrap_or_default().contains(&jti));

    // Filtered by action, and paged.
    let pushes = app.data(&admin, LOG, json!({ "action": "PUSH" })).await;
    assert_eq!(pushes["auditLog"].as_array().map(Vec::len), Some(2));
    let page = app.data(&admin, LOG, json!({ "first": 2, "before": log[2]["id"] })).await;
    let actions: Vec<&str> =
        page["auditLog"].as_array().expect("page").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["REJECT", "APPROVE"]);
}

#[tokio::test]
async fn the_log_is_for_admins_and_cannot_be_changed() {
    let app = TestApp::seeded().await;
    for role in [Role::StatisticsOffice, Role::Dashboard, Role::Partner] {
        let token = app.token(role, None, Some("24"));
        assert_eq!(app.error_code(&token, LOG, json!({})).await, "FORBIDDEN", "{role}");
    }
    assert_eq!(app.error_code(&app.admin(), LOG, json!({ "first": 0 })).await, "BAD_USER_INPUT");
    assert_eq!(app.error_code(&app.admin(), LOG, json!({ "before": "x" })).await, "BAD_USER_INPUT");
    app.data(&app.admin(), "mutation { revokeToken(jti: \"some-token\") }", json!({})).await;
    // Append-only: the database refuses to change or delete an entry.
    for sql in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"] {
        let refused = app.try_execute(sql).await;
        assert!(refused.is_err_and(|e| e.contains("append-only")), "{sql}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'test-admin'").await, 1);
}

#[tokio::test]
async fn a_refused_push_gets_its_errors_even_when_the_log_cannot_be_written() {
    let app = TestApp::seeded().await;
    app.break_table("audit_log").await;
    let summary = app.push(&app.office(), json!([obs("NO_SUCH", "216", "2024", "TOTAL", 1.0)])).await;
    assert_eq!(summary["rejected"], 1, "{summary}");
    assert_eq!(error_codes(&summary), [(1, "UNKNOWN_INDICATOR".to_owned())]);
}
