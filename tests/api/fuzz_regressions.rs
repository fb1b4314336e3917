//! Inputs on which a cargo-fuzz target (fuzz/) crashed, fed again exactly as the target fed
//! them, so each crash stays fixed. The files are in tests/fixtures/fuzz/, named
//! `<target>-<what went wrong>`.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// graphql_query: six pages of observations nested through `indicator` saturated their
/// complexity at `usize::MAX`, and async-graphql's sum with a sibling field overflowed (a
/// panic under overflow checks, a wrap-around past the complexity limit in release).
#[tokio::test]
async fn pages_nested_six_deep_are_refused_as_too_complex_not_overflowed() {
    let input = fixture("graphql_query-complexity-overflow");
    // The target's first byte picks the role: 0 is the admin.
    let (&role, query) = input.split_first().expect("an input");
    assert_eq!(role, 0);
    let app = TestApp::seeded().await;
    let (status, body) = app.graphql(Some(&app.admin()), &String::from_utf8_lossy(query), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("(limit: complexity"), "{body}");
}
