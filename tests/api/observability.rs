//! What operators see: `/metrics` in Prometheus text. (Spans as an OpenTelemetry collector
//! would get them, and JSON log lines carrying the request id: `tests/telemetry`, which
//! needs the process's tracing to itself.)

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gender_data_hub::auth::Role;
use gender_data_hub::graphql::ApiSettings;
use serde_json::{json, Value};

use crate::helpers::push::PUSH;
use crate::helpers::TestApp;

/// The value of one sample of `/metrics`, e.g. `gdh_requests_total{operation="X",outcome="OK"}`
/// (labels in the order the server writes them: alphabetical). None when absent.
fn sample(metrics: &str, name_and_labels: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let (key, value) = line.rsplit_once(' ')?;
        (key == name_and_labels).then(|| value.parse().ok()).flatten()
    })
}

async fn scrape(app: &TestApp) -> String {
    let (status, text) = app.get("/metrics").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    text
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_outcome_and_refusals_by_reason() {
    let app = TestApp::seeded().await;
    let dashboard = app.token(Role::Dashboard, None, Some("216"));
    let partner = app.token(Role::Partner, None, Some("24"));

    for _ in 0..2 {
        app.data(&dashboard, "query TanYenPlans { plans(areaCode: \"216\") { code } }", json!({})).await;
    }
    assert_eq!(app.error_code(&partner, "query AuditTrail { auditLog { action } }", json!({})).await, "FORBIDDEN");
    let (status, _) = app.graphql(None, "query TanYenPlans { plans { code } }", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let aliases: String = (0..60).map(|i| format!("a{i}: me {{ role }} ")).collect();
    let code = app.error_code(&dashboard, &format!("query ManyAliases {{ {aliases} }}"), json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let request = Request::post("/graphql")
        .header(header::AUTHORIZATION, format!("Bearer {dashboard}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{ me { role } }"))
        .expect("request");
    assert_eq!(app.send(request).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let metrics = scrape(&app).await;
    assert!(metrics.contains("# TYPE gdh_request_duration_seconds histogram"), "{metrics}");
    let requests = |operation: &str, outcome: &str| {
        sample(&metrics, &format!("gdh_requests_total{{operation=\"{operation}\",outcome=\"{outcome}\"}}"))
    };
    assert_eq!(requests("TanYenPlans", "OK"), Some(2.0));
    assert_eq!(requests("AuditTrail", "FORBIDDEN"), Some(1.0));
    // Refused before it ran: named only if the client named it (its text is not read further).
    assert_eq!(requests("(refused)", "BAD_USER_INPUT"), Some(1.0));
    // Refused before the operation was read: counted under the route.
    assert_eq!(requests("/graphql", "UNAUTHENTICATED"), Some(1.0));
    assert_eq!(requests("/graphql", "UNSUPPORTED_MEDIA_TYPE"), Some(1.0));
    assert_eq!(
        sample(&metrics, "gdh_request_duration_seconds_count{operation=\"TanYenPlans\",outcome=\"OK\"}"),
        Some(2.0)
    );
    let rejected = |reason: &str| sample(&metrics, &format!("gdh_rejected_requests_total{{reason=\"{reason}\"}}"));
    assert_eq!(rejected("unauthenticated"), Some(1.0));
    assert_eq!(rejected("query_limit"), Some(1.0));
    assert_eq!(rejected("unsupported_media_type"), Some(1.0));
    // A denial of a valid operation is an outcome, not a refusal: nothing else was refused.
    let refusals: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("gdh_rejected_requests_total{"))
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, v)| v.parse::<f64>().ok()))
        .sum();
    assert_eq!(refusals, 3.0, "{metrics}");

    let pool = |state: &str| sample(&metrics, &format!("gdh_db_pool_connections{{state=\"{state}\"}}"));
    assert!(pool("max").is_some_and(|max| max >= 1.0), "{metrics}");
    assert!(pool("open").is_some_and(|open| open >= 1.0 && open <= pool("max").unwrap_or(0.0)), "{metrics}");
}

#[tokio::test]
async fn metrics_count_pushed_rows_by_result_but_not_dry_runs_or_replays() {
    let app = TestApp::seeded().await;
    let token = app.office();
    let rows = json!([
        { "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": "2024", "sex": "TOTAL", "value": 112.5 },
        { "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": "2023", "sex": "TOTAL", "value": 111.0 },
    ]);
    let push = |input: Value| {
        let (app, token) = (&app, &token);
        async move { app.data(token, PUSH, json!({ "input": input })).await["submitObservations"].clone() }
    };
    let first = push(json!({ "observations": rows, "idempotencyKey": "push-1" })).await;
    assert_eq!(first["created"], 2);
    let replay = push(json!({ "observations": rows, "idempotencyKey": "push-1" })).await;
    assert_eq!(replay, first, "the replay answers as the first push did");
    let dry = push(json!({ "observations": [
        { "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": "2022", "sex": "TOTAL", "value": 110.0 }
    ], "dryRun": true }))
    .await;
    assert_eq!(dry["created"], 1);
    // The CSV feed: one unchanged, one updated, one refused (an area out of reach).
    let csv = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n\
               SEX_RATIO_AT_BIRTH,216,2024,T,,,112.5,,,\n\
               SEX_RATIO_AT_BIRTH,216,2023,T,,,111.5,,,\n\
               SEX_RATIO_AT_BIRTH,121,2024,T,,,109,,,\n";
    let request = Request::post("/api/v1/feeds/observations?atomic=false")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .expect("request");
    let (status, summary) = app.send(request).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!((&summary["unchanged"], &summary["updated"], &summary["rejected"]), (&json!(1), &json!(1), &json!(1)));

    let metrics = scrape(&app).await;
    let rows = |result: &str| sample(&metrics, &format!("gdh_rows_pushed_total{{result=\"{result}\"}}"));
    assert_eq!(rows("created"), Some(2.0), "{metrics}");
    assert_eq!(rows("updated"), Some(1.0));
    assert_eq!(rows("unchanged"), Some(1.0));
    assert_eq!(rows("rejected"), Some(1.0));
    assert_eq!(sample(&metrics, "gdh_requests_total{operation=\"PushValues\",outcome=\"OK\"}"), Some(3.0), "{metrics}");
    assert_eq!(
        sample(&metrics, "gdh_requests_total{operation=\"/api/v1/feeds/observations\",outcome=\"OK\"}"),
        Some(1.0)
    );
}

#[tokio::test]
async fn metrics_count_rate_limited_and_batch_refusals() {
    let settings = ApiSettings { token_rate_per_second: 1, token_burst: 1, max_batch: 2, ..ApiSettings::default() };
    let app = TestApp::builder().settings(settings).seeded().await;
    let token = app.token(Role::Dashboard, None, Some("216"));
    let batch = json!([{ "query": "{ me { role } }" }, { "query": "{ me { role } }" }, { "query": "{ me { role } }" }]);
    let request = |body: String| {
        Request::post("/graphql")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request")
    };
    assert_eq!(app.send(request(batch.to_string())).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.send(request(json!({ "query": "{ me { role } }" }).to_string())).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    let metrics = scrape(&app).await;
    let rejected = |reason: &str| sample(&metrics, &format!("gdh_rejected_requests_total{{reason=\"{reason}\"}}"));
    assert_eq!(rejected("batch_limit"), Some(1.0), "{metrics}");
    assert_eq!(rejected("rate_limited"), Some(1.0), "{metrics}");
}

#[tokio::test]
async fn operation_names_chosen_by_clients_cannot_grow_the_metrics_without_bound() {
    let app = TestApp::builder().settings(ApiSettings { token_burst: 1_000, ..ApiSettings::default() }).seeded().await;
    let token = app.token(Role::Dashboard, None, Some("216"));
    // `operationName` is any JSON string: spans and metrics get `(invalid)` instead.
    let request = Request::post("/graphql")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "query": "{ me { role } }", "operationName": "forged\nINFO line" }).to_string()))
        .expect("request");
    assert_eq!(app.send(request).await.0, StatusCode::OK);
    for i in 0..210 {
        app.data(&token, &format!("query Name{i} {{ me {{ role }} }}"), json!({})).await;
    }
    let metrics = scrape(&app).await;
    assert!(!metrics.contains("forged"), "{metrics}");
    assert_eq!(sample(&metrics, "gdh_requests_total{operation=\"(invalid)\",outcome=\"BAD_USER_INPUT\"}"), Some(1.0));
    let distinct = metrics.lines().filter(|l| l.starts_with("gdh_requests_total{operation=\"Name")).count();
    assert!(distinct <= 200, "{distinct} distinct operation names kept");
    assert!(sample(&metrics, "gdh_requests_total{operation=\"other\",outcome=\"OK\"}").is_some_and(|n| n >= 10.0));
}
