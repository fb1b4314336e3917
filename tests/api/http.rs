//! The HTTP surface around GraphQL: health, readiness, GraphiQL, error hygiene.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::helpers::http::graphql_post;
use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::builder().empty().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, r#"{"status":"ok"}"#));
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#""status":"ready""#), "{body}");
}

#[tokio::test]
async fn get_graphql_serves_graphiql() {
    let app = TestApp::builder().empty().await;
    let (status, body) = app.get("/graphql").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("graphiql"), "{}", &body[..body.len().min(300)]);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_callers() {
    let app = TestApp::builder().empty().await;
    let request = Request::get("/healthz").header("x-request-id", "abc-123").body(Body::empty()).expect("request");
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    assert_eq!(response.headers()["x-request-id"], "abc-123");

    let request = Request::get("/healthz").body(Body::empty()).expect("request");
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    assert!(!response.headers()["x-request-id"].is_empty());
}

#[tokio::test]
async fn graphql_response_json_is_answered_when_asked() {
    let app = TestApp::seeded().await;
    let mut request = graphql_post(&app.admin(), "application/json", json!({ "query": "{ me { role } }" }).to_string());
    request.headers_mut().insert(header::ACCEPT, "application/graphql-response+json".parse().expect("accept"));
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/graphql-response+json");
}

#[tokio::test]
async fn unknown_codes_are_not_found() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    for query in [
        r#"{ plan(code: "no-such-plan") { code } }"#,
        r#"{ area(code: "999") { code } }"#,
        r#"{ agency(code: "NOPE") { code } }"#,
        r#"{ indicator(code: "NOPE") { code } }"#,
        r#"{ plans(areaCode: "999") { code } }"#,
    ] {
        assert_eq!(app.error_code(&admin, query, json!({})).await, "NOT_FOUND", "{query}");
    }
    let (_, body) = app.graphql(Some(&admin), r#"{ plan(code: "no-such-plan") { code } }"#, json!({})).await;
    assert_eq!(body["errors"][0]["message"], "no plan with code `no-such-plan`");
    assert!(body["data"]["plan"].is_null());
}

#[tokio::test]
async fn a_storage_failure_is_internal_with_a_request_id_and_no_sql() {
    let app = TestApp::seeded().await;
    app.break_table("reporting_deadlines").await;
    let query = json!({ "query": "{ plans { reportingDeadlines { dueDay } } }" });
    let mut request = graphql_post(&app.admin(), "application/json", query.to_string());
    request.headers_mut().insert("x-request-id", "req-42".parse().expect("request id"));
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "INTERNAL");
    assert_eq!(error["extensions"]["requestId"], "req-42");
    assert_eq!(error["message"], "internal error (request id req-42)");
    let text = body.to_string().to_lowercase();
    for leak in ["reporting_deadlines", "select", "table", "sqlite", "postgres", "/tmp"] {
        assert!(!text.contains(leak), "`{leak}` leaked in {body}");
    }
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused_before_it_runs() {
    let app = TestApp::seeded().await;
    // single objects all the way down, so that only the depth is over its limit
    let deep = "{ area(code: \"216\") { parent { parent { parent { parent { parent { parent { parent { \
                parent { parent { parent { parent { parent { parent { parent { parent { code \
                } } } } } } } } } } } } } } } } }";
    let (status, body) = app.graphql(Some(&app.admin()), deep, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["errors"][0]["message"], "the operation is nested deeper than 15 levels (limit: depth)", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(body.get("data").is_none_or(|d| d.is_null()), "{body}");
}
