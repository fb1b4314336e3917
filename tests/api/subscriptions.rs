//! Live updates over graphql-transport-ws, across replicas: values pushed through one
//! server reach subscribers of another (PostgreSQL LISTEN/NOTIFY; in-process on SQLite).

use std::time::Duration;

use axum::http::StatusCode;
use gender_data_hub::auth::{IssuedToken, Role};
use serde_json::{json, Value};

use crate::helpers::http::{graphql_on, serve};
use crate::helpers::sockets::{assert_completes, connect, next, send, subscribe, Socket};
use crate::helpers::tokens::ISSUE_DASHBOARD;
use crate::helpers::TestApp;

fn srb(area: &str, value: f64) -> Value {
    json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": area, "period": "2024", "sex": "TOTAL", "value": value })
}

#[tokio::test]
async fn a_value_pushed_to_one_replica_reaches_subscribers_of_another_as_they_may_read_it() {
    let app = TestApp::seeded().await;
    let other = serve(app.replica().build().await).await;
    let admin = app.admin();

    let (mut dashboard, ack) = connect(other, &app.token(Role::Dashboard, None, Some("216"))).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(&mut dashboard, "all", json!(null)).await;
    let (mut partner, _) = connect(other, &app.token(Role::Partner, None, Some("216"))).await;
    subscribe(&mut partner, "published", json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH" })).await;

    // Push through the first replica until the other's subscriber hears (a subscription
    // starts listening a moment after it is sent): Bắc Yên's value (outside the
    // dashboard's area) each time before Tân Yên's.
    let mut heard = None;
    for attempt in 0..20 {
        let rows = json!([srb("121", 110.0 + f64::from(attempt)), srb("216", 111.0 + f64::from(attempt))]);
        let summary = app.push(&admin, rows).await;
        assert_eq!(summary["rejected"], 0);
        if let Some(message) = next(&mut dashboard, Duration::from_millis(500)).await {
            heard = Some(message);
            break;
        }
    }
    let heard = heard.expect("the other replica's subscriber heard of the push");
    assert_eq!(heard["type"], "next", "{heard}");
    assert_eq!(heard["id"], "all");
    let value = &heard["payload"]["data"]["observationChanged"];
    assert_eq!(value["area"]["code"], "216", "only values inside the caller's area: {heard}");
    assert_eq!(value["status"], "SUBMITTED");

    // The partner hears nothing of submitted values; an approval is what it hears.
    assert_eq!(next(&mut partner, Duration::from_millis(300)).await, None);
    let id = app.observation_ids(&admin, json!({ "areaCode": "216" })).await[0].clone();
    app.approve(&admin, json!([id])).await;
    let approved = next(&mut partner, Duration::from_secs(10)).await.expect("the partner heard of the approval");
    let value = &approved["payload"]["data"]["observationChanged"];
    assert_eq!(
        (value["status"].as_str(), value["area"]["code"].as_str()),
        (Some("APPROVED"), Some("216")),
        "{approved}"
    );
    assert!(value["value"].is_number());
}

#[tokio::test]
async fn subscriptions_need_a_valid_token_and_an_area_inside_the_callers() {
    let app = TestApp::seeded().await;
    let addr = serve(app.replica().build().await).await;

    let (mut socket, answer) = connect(addr, "not-a-token").await;
    assert_ne!(answer["type"], "connection_ack", "{answer}");
    assert_eq!(
        next(&mut socket, Duration::from_secs(1)).await.map(|m| m["type"].clone()).unwrap_or(json!("closed")),
        json!("closed")
    );

    let (mut socket, ack) = connect(addr, &app.token(Role::Dashboard, None, Some("216"))).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(&mut socket, "far", json!({ "areaCode": "14" })).await;
    // An execution error comes as the one result of the subscription, which then completes.
    let refused = next(&mut socket, Duration::from_secs(5)).await.expect("an answer");
    assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("next"), Some("far")), "{refused}");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    assert_eq!(next(&mut socket, Duration::from_secs(5)).await.map(|m| m["type"].clone()), Some(json!("complete")));
    subscribe(&mut socket, "bad", json!({ "period": "2024-X" })).await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.expect("an answer");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    assert_eq!(next(&mut socket, Duration::from_secs(5)).await.map(|m| m["type"].clone()), Some(json!("complete")));
    // A subscription this schema does not have is refused before anything runs.
    send(&mut socket, json!({ "id": "x", "type": "subscribe", "payload": { "query": "subscription { nothing }" } }))
        .await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.expect("an answer");
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    let message = refused["payload"]["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Unknown field \"nothing\""), "{refused}");
}

#[tokio::test]
async fn a_token_revoked_through_one_replica_fails_on_the_other_at_once() {
    let app = TestApp::seeded().await;
    let other = app.replica().build().await;
    let admin = app.admin();
    let issued = app.data(&admin, ISSUE_DASHBOARD, json!({})).await["issueToken"].clone();
    let token = issued["token"].as_str().expect("token");
    assert_eq!(graphql_on(&other, Some(token), "{ me { role } }", json!({})).await.0, StatusCode::OK);
    app.revoke(issued["jti"].as_str().expect("jti")).await;
    assert_eq!(graphql_on(&other, Some(token), "{ me { role } }", json!({})).await.0, StatusCode::UNAUTHORIZED);
}

/// A subscriber's token issued directly, so the test knows its `jti`.
fn issued(app: &TestApp, ttl: chrono::Duration) -> IssuedToken {
    app.dashboard_token("wall-screen", ttl)
}

/// A Tân Yên dashboard's socket on a second replica, and its token.
async fn wall_screen(app: &TestApp, ttl: chrono::Duration) -> (Socket, IssuedToken) {
    let addr = serve(app.replica().build().await).await;
    let token = issued(app, ttl);
    let (socket, ack) = connect(addr, &token.token).await;
    assert_eq!(ack["type"], "connection_ack");
    (socket, token)
}

/// Pushes Tân Yên's value (`value`, then one more each time) until the socket hears, as a
/// subscription starts listening a moment after it is sent; what it heard first. Values of
/// earlier pushes that arrive late are read off too, so the socket holds nothing more.
async fn first_heard(app: &TestApp, socket: &mut Socket, value: f64) -> Value {
    let admin = app.admin();
    for attempt in 0..20 {
        app.push(&admin, json!([srb("216", value + f64::from(attempt))])).await;
        if let Some(message) = next(socket, Duration::from_millis(500)).await {
            for _ in 0..attempt {
                if next(socket, Duration::from_millis(500)).await.is_none() {
                    break;
                }
            }
            return message;
        }
    }
    panic!("the subscription heard nothing of 20 pushes");
}

/// A wall screen subscribed to every change, heard once: its subscription is live.
async fn live_wall_screen(app: &TestApp) -> (Socket, IssuedToken) {
    let (mut socket, token) = wall_screen(app, chrono::Duration::hours(1)).await;
    subscribe(&mut socket, "live", json!(null)).await;
    assert_eq!(first_heard(app, &mut socket, 100.0).await["type"], "next");
    (socket, token)
}

#[tokio::test]
async fn a_subscription_ends_when_its_token_is_revoked_even_through_another_replica() {
    let app = TestApp::seeded().await;
    let (mut socket, token) = live_wall_screen(&app).await;
    // No value changes after the revocation: the subscription ends on hearing of it.
    app.revoke(&token.jti).await;
    let ended = next(&mut socket, Duration::from_secs(10)).await.expect("an answer");
    assert_eq!(ended["type"], "next", "{ended}");
    assert!(ended["payload"]["data"].is_null(), "no value after the revocation: {ended}");
    assert_eq!(ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{ended}");
    assert_completes(&mut socket).await;
}

#[tokio::test]
async fn revoking_another_token_leaves_a_subscription_running() {
    let app = TestApp::seeded().await;
    let (mut socket, _) = live_wall_screen(&app).await;
    // The revocation wakes the subscriber, which finds its own token still good.
    app.revoke(&issued(&app, chrono::Duration::hours(1)).jti).await;
    let heard = first_heard(&app, &mut socket, 200.0).await;
    assert_eq!(heard["type"], "next", "{heard}");
    let value = heard["payload"]["data"]["observationChanged"]["value"].as_f64();
    assert!(value.is_some_and(|v| v >= 200.0), "a value pushed after the revocation: {heard}");
}

#[tokio::test]
async fn a_subscription_ends_when_its_token_expires() {
    let app = TestApp::seeded().await;
    let (mut socket, _) = wall_screen(&app, chrono::Duration::seconds(3)).await;
    subscribe(&mut socket, "live", json!(null)).await;
    let ended = next(&mut socket, Duration::from_secs(15)).await.expect("an answer at expiry");
    assert_eq!(ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{ended}");
    assert!(ended["payload"]["errors"][0]["message"].as_str().is_some_and(|m| m.contains("expired")), "{ended}");
    assert_completes(&mut socket).await;
}

#[tokio::test]
async fn the_socket_runs_subscriptions_only_each_checked_like_a_post() {
    let app = TestApp::seeded().await;
    let (mut socket, token) = wall_screen(&app, chrono::Duration::hours(1)).await;
    let first_error = |message: &Value| message["payload"]["errors"][0].clone();

    // Queries and mutations go by POST, where every request is checked.
    for (id, query) in [("q", "{ me { role } }"), ("m", "mutation { revokeToken(jti: \"x\") }")] {
        send(&mut socket, json!({ "id": id, "type": "subscribe", "payload": { "query": query } })).await;
        let refused = next(&mut socket, Duration::from_secs(5)).await.expect("an answer");
        assert_eq!(first_error(&refused)["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
        assert!(first_error(&refused)["message"].as_str().is_some_and(|m| m.contains("POST /graphql")), "{refused}");
        assert_completes(&mut socket).await;
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM revoked_tokens").await, 0, "the mutation did not run");

    // The operation's limits apply: 60 tokens of doubling spreads.
    let mut spreads = String::from("subscription { ...F0 } ");
    for i in 0..20 {
        spreads.push_str(&format!("fragment F{i} on Subscription {{ ...F{} ...F{} }} ", i + 1, i + 1));
    }
    spreads.push_str("fragment F20 on Subscription { observationChanged { value } }");
    send(&mut socket, json!({ "id": "bomb", "type": "subscribe", "payload": { "query": spreads } })).await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.expect("an answer");
    assert!(first_error(&refused)["message"].as_str().is_some_and(|m| m.contains("(limit: fields)")), "{refused}");
    assert_completes(&mut socket).await;

    // A token revoked after the connection began starts nothing more.
    app.revoke(&token.jti).await;
    subscribe(&mut socket, "late", json!(null)).await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.expect("an answer");
    assert_eq!(first_error(&refused)["extensions"]["code"], "UNAUTHENTICATED", "{refused}");
    assert_completes(&mut socket).await;
}
