//! Spans as an OpenTelemetry collector would get them: each request one trace of request,
//! GraphQL operation, store call and SQL statement spans.
//!
//! A test binary of its own: the test installs the process's global tracing subscriber (SQLite
//! runs statements on a thread of its own, which a thread-local one would not reach), and
//! from then on every span of every test in the process would be exported to its in-memory
//! exporter, which keeps them all; the suite's other tests are better off without it. It
//! builds on the suite's `base` (fresh database, seeds, tokens).

#[path = "../api/helpers/base.rs"]
mod base;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gender_data_hub::auth::{Keys, Role};
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::{app, AppState};
use http_body_util::BodyExt;
use opentelemetry::trace::SpanId;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use serde_json::{json, Value};
use tracing_subscriber::layer::SubscriberExt;

/// The seeded app, as the suite's `TestApp::seeded()` builds it, with only what this test
/// asks of it.
struct TestApp {
    router: Router,
    keys: Arc<Keys>,
    _db: base::TestDb,
}

impl TestApp {
    async fn seeded() -> TestApp {
        let db = base::TestDb::fresh().await;
        let store = base::connect(&db.url, &base::test_pool()).await;
        store.migrate().await.expect("migrate");
        base::seed(store.as_ref()).await;
        let keys = Arc::new(base::secret_keys());
        let router = app(AppState::new(store, keys.clone(), ApiSettings::default()));
        TestApp { router, keys, _db: db }
    }

    fn token(&self, role: Role, agency: Option<&str>, area: Option<&str>) -> String {
        base::token(&self.keys, role, agency, area)
    }

    /// Sends a request as built; the status and the body as JSON.
    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())),
        )
    }
}

/// The spans of one request as an OTLP collector would receive them: request → GraphQL
/// operation → store calls → SQL statements, one trace, the request id on the request's span.
///
/// The subscriber is the process's global one, as in the server: SQLite runs statements on a
/// thread of its own, which a thread-local subscriber would not reach. The only test of this
/// binary, which installs it; spans of any other test would be told apart by their trace.
#[tokio::test]
async fn each_request_is_one_trace_of_request_operation_store_and_statement_spans() {
    let app = TestApp::seeded().await;
    let token = app.token(Role::Dashboard, None, Some("216"));
    let exporter = InMemorySpanExporter::default();
    let provider = gender_data_hub::telemetry::provider_with(exporter.clone(), false);
    let subscriber = tracing_subscriber::registry().with(gender_data_hub::telemetry::span_layer(&provider));
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of these tests");
    let request = Request::post("/graphql")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-request-id", "trace-me-216")
        .body(Body::from(json!({ "query": "query TanYenPlans { plans(areaCode: \"216\") { code } }" }).to_string()))
        .expect("request");
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let attribute = |span: &SpanData, key: &str| {
        span.attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.to_string())
    };
    let is_request =
        |s: &SpanData| s.name == "POST /graphql" && attribute(s, "request_id").as_deref() == Some("trace-me-216");
    // SQLite's thread lets go of the last statement's span a moment after answering, and a
    // span ends (its parents with it) when the last holder lets go: wait for the request's.
    let mut spans = Vec::new();
    for _ in 0..100 {
        provider.force_flush().expect("flush");
        spans = exporter.get_finished_spans().expect("spans");
        if spans.iter().any(is_request) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let request = spans.iter().find(|s| is_request(s)).unwrap_or_else(|| panic!("no request span: {spans:#?}"));
    assert_eq!(attribute(request, "http.response.status_code").as_deref(), Some("200"));
    assert_eq!(request.parent_span_id, SpanId::INVALID, "the request span is the root");
    let trace = request.span_context.trace_id();
    let spans: Vec<_> = spans.iter().filter(|s| s.span_context.trace_id() == trace).collect();
    let operation = spans.iter().find(|s| s.name == "graphql TanYenPlans").expect("operation span");
    assert_eq!(operation.parent_span_id, request.span_context.span_id());
    assert_eq!(attribute(operation, "graphql.outcome").as_deref(), Some("OK"));
    let store_calls: Vec<_> = spans.iter().filter(|s| s.name.starts_with("store.")).collect();
    assert!(!store_calls.is_empty(), "no store spans: {spans:#?}");
    assert!(
        store_calls.iter().any(|s| s.parent_span_id == operation.span_context.span_id()),
        "no store call under the operation"
    );
    let backend = if std::env::var("GDH_TEST_POSTGRES_URL").is_ok() { "postgresql" } else { "sqlite" };
    assert!(store_calls.iter().all(|s| attribute(s, "db.system.name").as_deref() == Some(backend)));

    // Each SQL statement is a span under the store call that ran it, with its text (no values).
    let statements: Vec<_> = spans.iter().filter(|s| attribute(s, "db.query.text").is_some()).collect();
    assert!(!statements.is_empty(), "no statement spans: {spans:#?}");
    assert!(
        statements.iter().all(|s| store_calls.iter().any(|call| call.span_context.span_id() == s.parent_span_id)),
        "a statement outside a store call: {statements:#?}"
    );
    let plans = statements
        .iter()
        .find(|s| s.name == "SELECT plans")
        .unwrap_or_else(|| panic!("no `SELECT plans` statement: {statements:#?}"));
    let text = attribute(plans, "db.query.text").unwrap_or_default();
    assert!(text.contains("FROM plans") && !text.contains("216"), "{text}");
    let under = store_calls.iter().find(|c| c.span_context.span_id() == plans.parent_span_id).expect("its call");
    assert!(under.start_time <= plans.start_time && plans.end_time <= under.end_time, "{under:#?} {plans:#?}");
}
