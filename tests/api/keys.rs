//! Token keys named by `kid`: Ed25519 tokens checked with the public key alone, rotation
//! without downtime, and 401 for tokens that pick their own algorithm or audience.

use axum::http::StatusCode;
use gender_data_hub::auth::{IssueRequest, Keys, Role, TokenSettings};
use serde_json::{json, Value};

use crate::helpers::base::SECRET;
use crate::helpers::http::graphql_on;
use crate::helpers::tokens::{self, admin_claims, hs256, unsigned};
use crate::helpers::TestApp;

const ME: &str = "{ me { subject role } }";

const A_PRIVATE: &str = include_str!("../fixtures/ed25519-a.pem");
const A_PUBLIC: &str = include_str!("../fixtures/ed25519-a.pub.pem");
const B_PRIVATE: &str = include_str!("../fixtures/ed25519-b.pem");

fn signer(kid: &str, private_pem: &str) -> Keys {
    Keys::from_ed25519_pem(kid, private_pem, TokenSettings::default()).expect("an Ed25519 key")
}

/// A replica that holds the public key of `ed-a` and nothing else.
fn public_only() -> Keys {
    Keys::verifying_only(TokenSettings::default()).with_ed25519_public_pem("ed-a", A_PUBLIC).expect("public key")
}

fn admin_token(keys: &Keys) -> String {
    tokens::admin_token(keys, Some("keys-test"))
}

async fn assert_unauthorized(app: &TestApp, token: &str, what: &str) -> Value {
    let (status, body) = app.graphql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{what}");
    body
}

#[tokio::test]
async fn a_replica_with_only_the_public_key_accepts_ed25519_tokens() {
    let app = TestApp::builder().keys(public_only()).seeded().await;
    let token = admin_token(&signer("ed-a", A_PRIVATE));
    let me = app.data(&token, ME, json!({})).await;
    assert_eq!(me["me"], json!({ "subject": "keys-test", "role": "ADMIN" }));
    // The CSV endpoints take the same keys.
    assert_eq!(app.get_as(&token, "/api/v1/observations.csv").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_replica_without_a_signing_key_cannot_issue_tokens() {
    let app = TestApp::builder().keys(public_only()).seeded().await;
    let refused = app
        .keys
        .issue(IssueRequest {
            role: Role::Dashboard,
            subject: None,
            agency_code: None,
            area_code: Some("216".into()),
            area_on: None,
            ttl: chrono::Duration::hours(1),
        })
        .expect_err("no signing key");
    assert!(refused.starts_with("this server holds no signing key"), "{refused}");

    // Through the API the admin is told the same, and nothing is signed.
    let admin = admin_token(&signer("ed-a", A_PRIVATE));
    let (status, body) = app
        .graphql(
            Some(&admin),
            "mutation { issueToken(input: { role: DASHBOARD, areaCode: \"216\", ttlSeconds: 3600 }) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("this server holds no signing key"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_SUPPORTED", "{body}");
    assert!(body["data"].is_null(), "{body}");
}

#[tokio::test]
async fn a_key_rotates_without_refusing_a_valid_token() {
    // Before: `ed-a` signs.
    let before = signer("ed-a", A_PRIVATE);
    let old_token = admin_token(&before);

    // During: `ed-b` signs, `ed-a` still verifies, so tokens of both are accepted.
    let during = signer("ed-b", B_PRIVATE).with_ed25519_public_pem("ed-a", A_PUBLIC).expect("old key");
    let app = TestApp::builder().keys(during).seeded().await;
    let new_token = app.admin();
    app.data(&old_token, ME, json!({})).await;
    app.data(&new_token, ME, json!({})).await;

    // After: `ed-a` is retired; its tokens get 401, `ed-b`'s still pass.
    let after = app.replica().keys(signer("ed-b", B_PRIVATE)).build().await;
    let (status, body) = graphql_on(&after, Some(&old_token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["message"], "the token names an unknown signing key");
    assert_eq!(graphql_on(&after, Some(&new_token), ME, json!({})).await.0, StatusCode::OK);
}

#[tokio::test]
async fn tokens_signed_with_the_hs256_secret_stay_valid_after_moving_to_ed25519() {
    let hs256 = Keys::from_secret(SECRET, TokenSettings::default());
    let old_token = admin_token(&hs256);
    let moved = signer("ed-a", A_PRIVATE).with_hs256_secret("hs256-1", SECRET).expect("old secret");
    let app = TestApp::builder().keys(moved).seeded().await;
    app.data(&old_token, ME, json!({})).await;
    app.data(&app.admin(), ME, json!({})).await;
}

#[tokio::test]
async fn an_unsigned_token_gets_401() {
    let ring = signer("ed-a", A_PRIVATE).with_hs256_secret("hs256-1", SECRET).expect("ring");
    let app = TestApp::builder().keys(ring).seeded().await;
    for kid in ["ed-a", "hs256-1"] {
        let token = unsigned(json!({ "alg": "none", "typ": "JWT", "kid": kid }));
        assert_unauthorized(&app, &token, &format!("alg none, kid {kid}")).await;
    }
}

#[tokio::test]
async fn an_hs256_token_signed_with_the_public_key_gets_401() {
    let app = TestApp::builder().keys(public_only()).seeded().await;
    // Algorithm confusion: the public key, which anyone may have, used as an HMAC secret.
    let token = hs256("ed-a", &admin_claims(0, 600), A_PUBLIC.as_bytes());
    let body = assert_unauthorized(&app, &token, "HS256 under an Ed25519 kid").await;
    assert_eq!(
        body["errors"][0]["message"],
        "the token is not valid: the token is signed with HS256 but its key is for EdDSA"
    );
}

#[tokio::test]
async fn ed25519_tokens_for_another_audience_or_issuer_or_key_get_401() {
    let app = TestApp::builder().keys(public_only()).seeded().await;
    let elsewhere = |settings: TokenSettings| Keys::from_ed25519_pem("ed-a", A_PRIVATE, settings).expect("key");
    let tokens = [
        (
            "another audience",
            admin_token(&elsewhere(TokenSettings { audience: "another-service".into(), ..TokenSettings::default() })),
        ),
        (
            "another issuer",
            admin_token(&elsewhere(TokenSettings { issuer: "someone".into(), ..TokenSettings::default() })),
        ),
        ("another private key under a known kid", admin_token(&signer("ed-a", B_PRIVATE))),
        ("an unknown kid", admin_token(&signer("ed-b", B_PRIVATE))),
    ];
    for (what, token) in tokens {
        assert_unauthorized(&app, &token, what).await;
    }
}
