//! The audit log: every push, approval, rejection, token issue and revocation, with who,
//! what, when and the request id; append-only; for admins.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::TestApp;
use gender_data_hub::auth::Role;
use serde_json::{json, Value};

const LOG: &str = "query($action: AuditAction, $first: Int, $before: ID) { auditLog(action: $action, first: $first, before: $before) { \
    id at actor action target rows detail requestId } }";

async fn graphql_with_id(app: &TestApp, token: &str, query: &str, variables: Value, request_id: &str) -> Value {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("x-request-id", request_id)
        .body(Body::from(json!({ "query": query, "variables": variables }).to_string()))
        .expect("request");
    let (_, body) = app.send(request).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn each_write_is_recorded_with_who_what_and_the_request_id() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let office = app.token(Role::StatisticsOffice, None, Some("24"));
    let push = "mutation { submitObservations(input: { observations: [{ indicatorCode: \"SEX_RATIO_AT_BIRTH\", areaCode: \"216\", period: \"2024\", sex: TOTAL, value: 112 }, { indicatorCode: \"SEX_RATIO_AT_BIRTH\", areaCode: \"216\", period: \"2023\", sex: TOTAL, value: 111 }] }) { created } }";
    graphql_with_id(&app, &office, push, json!({}), "req-push").await;
    let ids = app.data(&office, "{ observations { edges { node { id } } } }", json!({})).await;
    let ids: Vec<Value> =
        ids["observations"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect();
    graphql_with_id(
        &app,
        &office,
        "mutation($ids: [ID!]!) { approveObservations(ids: $ids) { id } }",
        json!({ "ids": [ids[0]] }),
        "req-approve",
    )
    .await;
    graphql_with_id(
        &app,
        &office,
        "mutation($ids: [ID!]!) { rejectObservations(ids: $ids, reason: \"wrong year\") { id } }",
        json!({ "ids": [ids[1]] }),
        "req-reject",
    )
    .await;
    let issued = graphql_with_id(
        &app,
        &admin,
        "mutation { issueToken(input: { role: PARTNER, areaCode: \"216\" }) { jti } }",
        json!({}),
        "req-issue",
    )
    .await;
    let jti = issued["issueToken"]["jti"].as_str().expect("jti").to_owned();
    graphql_with_id(
        &app,
        &admin,
        "mutation($jti: String!) { revokeToken(jti: $jti) }",
        json!({ "jti": jti }),
        "req-revoke",
    )
    .await;
    // A dry run writes nothing, so it records nothing.
    let dry = "mutation { submitObservations(input: { dryRun: true, observations: [{ indicatorCode: \"SEX_RATIO_AT_BIRTH\", areaCode: \"216\", period: \"2022\", sex: TOTAL, value: 110 }] }) { created } }";
    app.data(&office, dry, json!({})).await;
    // A push refused whole writes no value, and is recorded: here, Tân Yên's health office
    // pushing for Bắc Yên.
    let health = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    let outside = "mutation { submitObservations(input: { observations: [{ indicatorCode: \"SEX_RATIO_AT_BIRTH\", areaCode: \"121\", period: \"2024\", sex: TOTAL, value: 110 }] }) { rejected } }";
    let refused = graphql_with_id(&app, &health, outside, json!({}), "req-refused").await;
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
    let office = app.token(Role::StatisticsOffice, None, Some("24"));
    let bad = "mutation { submitObservations(input: { observations: [{ indicatorCode: \"NO_SUCH\", areaCode: \"216\", period: \"2024\", sex: TOTAL, value: 1 }] }) { rejected errors { row code } } }";
    let summary = app.data(&office, bad, json!({})).await;
    assert_eq!(
        summary["submitObservations"],
        json!({ "rejected": 1, "errors": [{ "row": 1, "code": "UNKNOWN_INDICATOR" }] })
    );
}
