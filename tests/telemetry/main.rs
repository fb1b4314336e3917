//! What operators see of each request in traces and logs: spans as an OpenTelemetry
//! collector would get them (one trace of request, GraphQL operation, store call and SQL
//! statement spans), and JSON log lines carrying the request id.
//!
//! A test binary of its own, because both tests need the process's tracing to themselves:
//! - the span test installs the process's global subscriber (SQLite runs statements on a
//!   thread of its own, which a thread-local one would not reach); from then on every span
//!   of every test in the process would go to its in-memory exporter, which keeps them all;
//! - the log test sets a thread-local subscriber. While it is the only subscriber in the
//!   process, tracing-core works out the interest of a callsite first reached on another
//!   thread from that thread's subscriber (none), and caches "never" for the whole process:
//!   with the suite's tests running beside it, its own `answered` lines went missing.
//!
//! Together, as they were before the suite, neither harms the other: the span test tells its
//! spans apart by their trace, and the global subscriber, once set, is counted when interest
//! is worked out. It builds on the suite's `base` (fresh database, seeds, tokens).

#[path = "../api/helpers/base.rs"]
mod base;
#[path = "../api/helpers/seeded_app.rs"]
mod seeded_app;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gender_data_hub::auth::Role;
use gender_data_hub::config::LogFormat;
use http_body_util::BodyExt;
use opentelemetry::trace::SpanId;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use seeded_app::TestApp;
use serde_json::{json, Value};
use tracing_subscriber::layer::SubscriberExt;

/// What this binary asks of the seeded app beyond the shared part.
impl TestApp {
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
/// thread of its own, which a thread-local subscriber would not reach. The only test here
/// that installs one; spans of other tests are told apart by their trace.
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

/// A `MakeWriter` into memory, to read the log lines a request wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test]
async fn json_logs_carry_the_request_id_given_or_made() {
    let app = TestApp::seeded().await;
    let token = app.token(Role::Dashboard, None, Some("216"));
    let captured = Captured::default();
    let subscriber =
        tracing_subscriber::registry().with(gender_data_hub::telemetry::log_layer(LogFormat::Json, captured.clone()));
    let (given, made) = {
        let _guard = tracing::subscriber::set_default(subscriber);
        let send = |id: Option<&str>| {
            let mut request = Request::post("/graphql")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(id) = id {
                request = request.header("x-request-id", id);
            }
            let request = request.body(Body::from(json!({ "query": "{ me { role } }" }).to_string())).expect("request");
            tower::ServiceExt::oneshot(app.router.clone(), request)
        };
        let given = send(Some("log-me-7")).await.expect("response");
        let made = send(None).await.expect("response");
        (given, made)
    };
    let header = |response: &axum::response::Response| {
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    assert_eq!(header(&given).as_deref(), Some("log-me-7"));
    let made_id = header(&made).expect("a request id is made when none is given");
    assert!(made_id.len() >= 32, "{made_id}");

    let text = String::from_utf8(captured.0.lock().expect("log").clone()).expect("utf-8");
    let lines: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let answered_for = |id: &str| {
        lines.iter().any(|line| {
            line["fields"]["message"] == "answered"
                && line["fields"]["status"] == 200
                && line["span"]["request_id"] == id
        })
    };
    assert!(answered_for("log-me-7"), "{text}");
    assert!(answered_for(&made_id), "{text}");
}
