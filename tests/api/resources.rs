//! Resources under pressure: a token over its rate gets 429, a full server 503, a statement
//! stuck behind a lock UNAVAILABLE; each with Retry-After where a retry may succeed.

use std::time::Duration;

use axum::http::StatusCode;
use gender_data_hub::auth::Role;
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::store::PoolSettings;
use serde_json::{json, Value};

use crate::helpers::http::{graphql_on, graphql_post};
use crate::helpers::push::{obs, push_input, PUSH};
use crate::helpers::TestApp;

const ME: &str = "{ me { role } }";

/// The variables of a push of one value, Tân Yên's sex ratio at birth for 2024.
fn one_value() -> Value {
    push_input(json!([obs("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 110.0)]))
}

async fn status_and_retry(app: &TestApp, token: &str) -> (StatusCode, Option<String>, serde_json::Value) {
    let request = graphql_post(token, "application/json", json!({ "query": ME }).to_string());
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    let status = response.status();
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes();
    (status, retry, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn a_token_over_its_rate_gets_429_and_others_are_not_slowed() {
    let settings = ApiSettings { token_rate_per_second: 1, token_burst: 3, ..ApiSettings::default() };
    let app = TestApp::builder().settings(settings).seeded().await;
    let busy = app.token(Role::Dashboard, None, Some("216"));
    // Ten at once against a burst of 3 and 1 more a second: however slow the machine,
    // some are refused.
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.push(status_and_retry(&app, &busy).await);
    }
    assert!(answers[..3].iter().all(|a| a.0 == StatusCode::OK), "the burst passes");
    let (_, retry, body) = answers
        .iter()
        .find(|a| a.0 == StatusCode::TOO_MANY_REQUESTS)
        .cloned()
        .expect("some requests over the rate were refused");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert!(retry.and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| s >= 1), "Retry-After in seconds");
    let other = app.token(Role::Dashboard, None, Some("216"));
    assert_eq!(status_and_retry(&app, &other).await.0, StatusCode::OK, "another token has its own budget");
}

#[tokio::test]
async fn a_full_server_turns_requests_away_with_503_instead_of_queueing_them() {
    let app = TestApp::builder().settings(ApiSettings { max_in_flight: 1, ..ApiSettings::default() }).seeded().await;
    let admin = app.admin();
    let lock = app.lock_observations().await;
    // A push waits on the lock, holding the only slot; another request meanwhile is
    // turned away. (If the probe took the slot first, the push is tried again.)
    let mut turned_away = None;
    for _ in 0..20 {
        let stuck = {
            let (router, admin) = (app.router.clone(), admin.clone());
            tokio::spawn(async move { graphql_on(&router, Some(&admin), PUSH, one_value()).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        if stuck.is_finished() {
            continue;
        }
        let (status, retry, body) = status_and_retry(&app, &admin).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        turned_away = Some((stuck, retry, body));
        break;
    }
    let (stuck, retry, body) = turned_away.expect("a push held the slot");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE");
    assert_eq!(retry.as_deref(), Some("1"));
    // Health checks are not counted against the limit.
    assert_eq!(app.get("/healthz").await.0, StatusCode::OK);
    drop(lock);
    let (status, body) = tokio::time::timeout(Duration::from_secs(30), stuck).await.expect("done").expect("join");
    assert_eq!((status, &body["data"]["submitObservations"]["created"]), (StatusCode::OK, &json!(1)), "{body}");
    assert_eq!(status_and_retry(&app, &admin).await.0, StatusCode::OK);
    let (_, metrics) = app.get("/metrics").await;
    let refused = metrics.lines().find_map(|l| l.strip_prefix("gdh_rejected_requests_total{reason=\"overloaded\"} "));
    assert!(refused.and_then(|n| n.parse::<f64>().ok()).is_some_and(|n| n >= 1.0), "{metrics}");
}

#[tokio::test]
async fn a_statement_stuck_past_its_timeout_fails_as_unavailable_and_writes_nothing() {
    let pool =
        PoolSettings { max_connections: 5, statement_timeout: Duration::from_secs(1), ..PoolSettings::default() };
    let app = TestApp::builder().pool(pool).seeded().await;
    let admin = app.admin();
    let lock = app.lock_observations().await;
    let answer = tokio::time::timeout(Duration::from_secs(20), app.graphql(Some(&admin), PUSH, one_value())).await;
    let (status, body) = answer.expect("the statement gave up rather than wait for the request timeout");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE", "{body}");
    assert!(!body.to_string().to_lowercase().contains("lock"), "no database detail: {body}");
    drop(lock);
    assert_eq!(app.count("SELECT COUNT(*) FROM observations").await, 0);
    assert_eq!(app.data(&admin, PUSH, one_value()).await["submitObservations"]["created"], 1, "works again");
}

#[tokio::test]
async fn a_request_past_its_timeout_gets_504_in_json_and_its_push_is_dropped_whole() {
    let settings = ApiSettings { request_timeout: Duration::from_secs(1), ..ApiSettings::default() };
    let app = TestApp::builder().settings(settings).seeded().await;
    let admin = app.admin();
    // The push waits behind a long transaction elsewhere (statement timeout 25 s).
    let lock = app.lock_observations().await;
    let started = std::time::Instant::now();
    let (status, body) = app.graphql(Some(&admin), PUSH, one_value()).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    assert!(started.elapsed() < Duration::from_secs(20), "stopped by the request timeout, not the statement's");
    drop(lock);
    assert_eq!(app.count("SELECT COUNT(*) FROM observations").await, 0, "nothing half-written");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'PUSH'").await, 0);
    assert_eq!(app.data(&admin, PUSH, one_value()).await["submitObservations"]["created"], 1, "works again");
}
