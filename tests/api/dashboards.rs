//! What a dashboard on another origin relies on: CORS that lets it send and read the
//! headers it needs, and automatic persisted queries (a hash in place of the text).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::http::graphql_post as post;
use crate::helpers::TestApp;

const ORIGIN: &str = "https://dashboard.example";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn a_browser_on_another_origin_may_send_the_idempotency_key_and_read_request_id_and_retry_after() {
    let app = TestApp::seeded().await;
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/feeds/observations")
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type,idempotency-key")
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.router.clone(), preflight).await.expect("response");
    assert!(response.status().is_success(), "{}", response.status());
    let allowed = response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().expect("text").to_ascii_lowercase();
    for name in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed.contains(name), "{allowed}");
    }

    let mut request = post(&app.admin(), "application/json", json!({ "query": "{ me { role } }" }).to_string());
    request.headers_mut().insert(header::ORIGIN, ORIGIN.parse().expect("origin"));
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let exposed =
        response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().expect("text").to_ascii_lowercase();
    assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"), "{exposed}");
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn a_persisted_query_runs_by_its_hash_once_the_server_has_its_text() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let text = r#"{ area(code: "216") { name } }"#;
    let hash = sha256(text);

    // Unknown hash: the client is told to send the text.
    let body = json!({ "extensions": persisted(&hash) }).to_string();
    let (status, answer) = app.send(post(&admin, "application/json", body.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{answer}");
    assert_eq!(answer["errors"][0]["message"], "PersistedQueryNotFound", "{answer}");

    // Text and hash: it runs and is remembered; then the hash alone runs it.
    let with_text = json!({ "query": text, "extensions": persisted(&hash) }).to_string();
    let (_, answer) = app.send(post(&admin, "application/json", with_text)).await;
    assert_eq!(answer["data"]["area"]["name"], "Huyện Tân Yên", "{answer}");
    let (_, answer) = app.send(post(&admin, "application/json", body)).await;
    assert_eq!(answer["data"]["area"]["name"], "Huyện Tân Yên", "{answer}");

    // The text runs for each caller as that caller: Hà Nội's dashboard is refused a unit
    // of Bắc Giang.
    let ha_noi = app.token(gender_data_hub::auth::Role::Dashboard, None, Some("01"));
    let (_, answer) =
        app.send(post(&ha_noi, "application/json", json!({ "extensions": persisted(&hash) }).to_string())).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN", "{answer}");
}

#[tokio::test]
async fn a_hash_that_is_not_the_texts_or_a_bad_extension_is_refused_and_not_remembered() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let text = "{ me { role } }";
    let wrong = sha256("{ me { subject } }");
    let (_, answer) = app
        .send(post(&admin, "application/json", json!({ "query": text, "extensions": persisted(&wrong) }).to_string()))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
    let (_, answer) =
        app.send(post(&admin, "application/json", json!({ "extensions": persisted(&wrong) }).to_string())).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{answer}");

    for extension in [json!({ "version": 2, "sha256Hash": sha256(text) }), json!({ "version": 1 }), json!("x")] {
        let body = json!({ "query": text, "extensions": { "persistedQuery": extension } }).to_string();
        let (_, answer) = app.send(post(&admin, "application/json", body)).await;
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{extension}: {answer}");
    }

    // A text over the limits is refused and its hash stays unknown.
    let aliases: String = (0..1_300).map(|i| format!("a{i}: me {{ role }} ")).collect();
    let big = format!("{{ {aliases} }}");
    let hash = sha256(&big);
    let (_, answer) = app
        .send(post(&admin, "application/json", json!({ "query": big, "extensions": persisted(&hash) }).to_string()))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
    let (_, answer) =
        app.send(post(&admin, "application/json", json!({ "extensions": persisted(&hash) }).to_string())).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{answer}");
}

#[tokio::test]
async fn graphiql_is_served_whole_by_the_binary_with_nothing_from_the_network() {
    let app = TestApp::seeded().await;
    let (status, page) = app.get("/graphql").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<div id=\"graphiql\">"), "{page}");
    assert!(!page.contains("http://") && !page.contains("https://"), "a page that needs the network: {page}");
    let assets: Vec<&str> = page.split(['"', '\'']).filter(|part| part.starts_with("/graphiql/")).collect::<Vec<_>>();
    assert_eq!(assets.len(), 5, "{assets:?}");
    for path in assets {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let kind = response.headers()[header::CONTENT_TYPE].to_str().expect("text").to_owned();
        assert!(
            kind.starts_with(if path.ends_with(".css") { "text/css" } else { "text/javascript" }),
            "{path}: {kind}"
        );
        assert!(response.headers()[header::CACHE_CONTROL].to_str().is_ok_and(|c| c.contains("immutable")));
        let body = http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes();
        assert!(body.len() > 100, "{path}");
    }
    // React's production builds, by their own banners.
    for (file, banner) in [("react", " * react.production.min.js"), ("react-dom", " * react-dom.production.min.js")] {
        let (_, script) = app.get(&format!("/graphiql/3.8.3/{file}.production.min.js")).await;
        assert_eq!(script.lines().nth(2), Some(banner), "{file}");
    }
    for missing in ["/graphiql/3.8.3/nothing.js", "/graphiql/0.0.1/graphiql.min.js"] {
        let (status, body) = app.get(missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body}");
    }
}

/// The dashboard's view for a token: status and body.
async fn view(app: &TestApp, token: &str, query: &str) -> (StatusCode, String) {
    app.get_as(token, &format!("/dashboard/view{query}")).await
}

#[tokio::test]
async fn the_dashboard_view_is_the_callers_and_refuses_what_it_may_not_show() {
    let app = TestApp::seeded().await;
    let (status, page) = app.get("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/dashboard/app.js") && !page.contains("https://"), "{page}");
    let (status, _) = app.get("/dashboard/view").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let tan_yen = app.token(gender_data_hub::auth::Role::Dashboard, None, Some("216"));
    let (status, body) = view(&app, &tan_yen, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"area-name\">Huyện Tân Yên<"), "the token's own area by default: {body}");
    for (query, expected) in [
        ("?area=24", StatusCode::FORBIDDEN),
        ("?area=99999", StatusCode::NOT_FOUND),
        ("?plan=no-such-plan", StatusCode::NOT_FOUND),
        ("?plan=bac-giang-kh-311-2021", StatusCode::FORBIDDEN),
        ("?lang=fr", StatusCode::BAD_REQUEST),
        ("?year=20x4", StatusCode::BAD_REQUEST),
    ] {
        let (status, body) = view(&app, &tan_yen, query).await;
        assert_eq!(status, expected, "{query}: {body}");
        assert!(body.contains("\"code\""), "an error body of the API's: {body}");
    }

    // A partner sees how targets stand, not a sensitive figure, and no reporting status.
    let office = app.office();
    let gbv = |sex: &str, n: f64, d: f64| {
        json!({ "indicatorCode": "GBV_VICTIMS_SUPPORTED_PCT", "areaCode": "216", "period": "2024", "sex": sex,
                "value": (n / d * 1000.0).round() / 10.0, "numerator": n, "denominator": d })
    };
    app.push(&office, json!([gbv("TOTAL", 40.0, 50.0)])).await;
    let ids = app.observation_ids(&office, json!({ "areaCode": "216" })).await;
    app.approve(&office, ids).await;
    let (_, internal) = view(&app, &office, "?area=216").await;
    let row = |page: &str| -> String {
        page.split("data-target=\"M3.CT2a\"")
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row(&internal).contains("80 (2024)"), "{}", row(&internal));
    assert!(internal.contains("id=\"reporting\""));
    let partner = app.token(gender_data_hub::auth::Role::Partner, None, Some("216"));
    let (status, published) = view(&app, &partner, "?area=216&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let withheld = row(&published);
    assert!(withheld.contains("<em>withheld</em>") && !withheld.contains("80 (2024)"), "{withheld}");
    assert!(withheld.contains("class=\"status MET\""), "{withheld}");
    assert!(!published.contains("id=\"reporting\""), "reporting status is for internal roles");
}
