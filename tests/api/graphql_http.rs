//! GraphQL over HTTP done strictly, and the limits every operation is checked against
//! before anything runs.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gender_data_hub::auth::Role;
use gender_data_hub::graphql::ApiSettings;
use serde_json::{json, Value};

use crate::helpers::http::graphql_post as post;
use crate::helpers::TestApp;

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn only_json_posts_run_operations() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let (status, body) = app.send(post(&admin, "text/plain", "{ me { role } }")).await;
    assert_eq!((status, code(&body)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE"), "{body}");
    let (status, body) = app.send(post(&admin, "application/json", "{ not json")).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "BAD_REQUEST"), "{body}");
    let (status, body) =
        app.send(post(&admin, "application/json; charset=utf-8", r#"{"query":"{ me { role } }"}"#)).await;
    assert_eq!((status, &body["data"]["me"]["role"]), (StatusCode::OK, &json!("ADMIN")), "{body}");

    // No operation over GET, so a link can never run one; GraphiQL is served without one.
    let request = Request::get("/graphql?query=%7Bme%7Brole%7D%7D")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");
    // Other methods and unknown paths answer JSON too.
    let request = Request::delete("/graphql").body(Body::empty()).expect("request");
    let (status, body) = app.send(request).await;
    assert_eq!((status, code(&body)), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"), "{body}");
    let (status, body) = app.send(Request::get("/nowhere").body(Body::empty()).expect("request")).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_json() {
    let app = TestApp::seeded().await;
    let query = format!("{{ me {{ role }} }} #{}", "x".repeat(1024 * 1024));
    let (status, body) = app.send(post(&app.admin(), "application/json", json!({ "query": query }).to_string())).await;
    assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"), "{body}");

    // A browser client still reads the JSON error: the CORS headers survive the rewrite.
    let mut request = post(&app.admin(), "application/json", json!({ "query": query }).to_string());
    request.headers_mut().insert(header::ORIGIN, "https://dashboard.example".parse().expect("origin"));
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(response.headers()[header::CONTENT_TYPE].to_str().is_ok_and(|t| t.starts_with("application/json")));
}

#[tokio::test]
async fn batches_run_each_operation_up_to_the_cap() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let batch = json!([{ "query": "{ me { role } }" }, { "query": "{ area(code: \"216\") { name } }" }]);
    let (status, body) = app.send(post(&admin, "application/json", batch.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["data"]["me"]["role"], "ADMIN");
    assert_eq!(body[1]["data"]["area"]["name"], "Huyện Tân Yên");

    let eleven: Vec<Value> = (0..11).map(|_| json!({ "query": "{ me { role } }" })).collect();
    for batch in [json!(eleven), json!([])] {
        let (status, body) = app.send(post(&admin, "application/json", batch.to_string())).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"), "{body}");
        assert!(message(&body).contains("(limit: batch)"), "{body}");
    }
}

#[tokio::test]
async fn each_limit_is_a_bad_user_input_naming_it_before_anything_runs() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let push = r#"submitObservations(input: { observations: [{ indicatorCode: "SEX_RATIO_AT_BIRTH", areaCode: "216", period: "2024", sex: TOTAL, value: 110 }] }) { created }"#;
    let aliases: String = (0..51).map(|i| format!("a{i}: {push} ")).collect();
    let tokens = format!("{{ {} }}", "me { role } ".repeat(1_300));
    let directives = format!("{{ me {{ {} }} }}", "role @include(if: true) ".repeat(51));
    let complex =
        "{ indicators { observations(first: 1000) { edges { node { id value period sex status comment } } } } }";
    // 60 tokens that each fragment spreads the next twice: a million fields once written out.
    let mut spreads = String::from("{ ...F0 } ");
    for i in 0..20 {
        spreads.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }} ", i + 1, i + 1));
    }
    spreads.push_str("fragment F20 on Query { me { role } }");
    // A page too large deep inside a mutation: refused before the push beside it runs.
    let page = format!(
        "mutation {{ {push} approveObservations(ids: [\"1\"]) {{ indicator {{ observations(first: 5000) {{ totalCount }} }} }} }}"
    );
    for (query, limit) in [
        (page, "(limit: page size)"),
        ("query($n: Int = 1001) { observations(first: $n) { totalCount } }".to_owned(), "(limit: page size)"),
        (spreads, "(limit: fields)"),
        (format!("mutation {{ {aliases} }}"), "(limit: aliases)"),
        (tokens, "(limit: tokens)"),
        (directives, "(limit: directives)"),
        (complex.to_owned(), "(limit: complexity"),
    ] {
        let (status, body) = app.graphql(Some(&admin), &query, json!({})).await;
        assert_eq!((status, code(&body)), (StatusCode::OK, "BAD_USER_INPUT"), "{limit}: {body}");
        assert!(message(&body).contains(limit), "{limit}: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM observations").await, 0, "the refused mutation wrote nothing");

    // Recursion through fragments: a cycle is refused, and depth counts through spreads.
    let cycle = "{ ...A } fragment A on Query { me { role } ...B } fragment B on Query { ...A }";
    let (status, body) = app.graphql(Some(&admin), cycle, json!({})).await;
    assert_eq!((status, code(&body)), (StatusCode::OK, "BAD_USER_INPUT"), "{body}");
    assert!(message(&body).contains("(limit: recursion)"), "{body}");
    let mut deep = String::from("{ area(code: \"216\") { ...L0 } } ");
    for i in 0..8 {
        deep.push_str(&format!("fragment L{i} on Area {{ parent {{ parent {{ ...L{} }} }} }} ", i + 1));
    }
    deep.push_str("fragment L8 on Area { code }");
    let (status, body) = app.graphql(Some(&admin), &deep, json!({})).await;
    assert_eq!((status, code(&body)), (StatusCode::OK, "BAD_USER_INPUT"), "{body}");
    assert!(message(&body).contains("(limit: depth)"), "{body}");

    // Under the newer media type, a refused request is a 400.
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(Body::from(json!({ "query": "{ me { role " }).to_string()))
        .expect("request");
    let (status, body) = app.send(request).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn no_suggestions_and_no_introspection_for_partners_or_when_turned_off() {
    let app = TestApp::seeded().await;
    let (_, body) = app.graphql(Some(&app.admin()), r#"{ plan(code: "x") { cod } }"#, json!({})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(!message(&body).to_lowercase().contains("did you mean"), "{body}");

    const SCHEMA: &str = "{ __schema { queryType { name } } }";
    let dashboard = app.token(Role::Dashboard, None, Some("216"));
    assert_eq!(app.data(&dashboard, SCHEMA, json!({})).await["__schema"]["queryType"]["name"], "Query");
    let partner = app.token(Role::Partner, None, Some("216"));
    // Introspection turned off answers nothing about the schema.
    assert!(app.data(&partner, SCHEMA, json!({})).await["__schema"].is_null());

    let closed =
        TestApp::builder().settings(ApiSettings { introspection: false, ..ApiSettings::default() }).seeded().await;
    let dashboard = closed.token(Role::Dashboard, None, Some("216"));
    assert!(closed.data(&dashboard, SCHEMA, json!({})).await["__schema"].is_null());
}
