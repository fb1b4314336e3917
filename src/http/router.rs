//! The router production serves (tests drive the very same one): the routes, and the
//! layers every request passes through, outermost last.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::problem::{json_errors, problem};
use super::track::track;
use super::{assets, dashboard, feeds, graphql, health, sdmx, AppState, IDEMPOTENCY_KEY, REQUEST_ID};
use crate::error::{ErrorCode, Rejection};
use crate::graphql::ApiSettings;
use crate::metrics::Outcome;

/// Largest GraphQL request body.
const GRAPHQL_BODY_LIMIT: usize = 1024 * 1024;

/// How long a stopping server waits for open requests: any request has timed out by then.
pub fn drain_deadline(settings: &ApiSettings) -> Duration {
    settings.request_timeout + Duration::from_secs(5)
}

/// The router production serves; tests drive the very same one.
pub fn app(state: AppState) -> Router {
    let feed_limit = state.settings.max_feed_bytes;
    let request_timeout = state.settings.request_timeout;
    // Past this many requests in flight, more are turned away at once (503) rather than
    // queued until they time out; health checks are not counted.
    let in_flight = tower::ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
        .load_shed()
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(state.settings.max_in_flight));
    let api = Router::new()
        .route("/graphql", get(graphql::graphiql).post(graphql::execute))
        .route("/graphql/ws", get(graphql::subscriptions))
        .route("/api/v1/observations.csv", get(feeds::export))
        .route("/api/v1/observations.xlsx", get(feeds::export_workbook))
        .route("/api/v1/templates/{file}", get(feeds::template_workbook))
        .route("/dashboard/view", get(dashboard::view))
        .route("/sdmx/2.1/data/{flow}", get(sdmx::data_all))
        .route("/sdmx/2.1/data/{flow}/{key}", get(sdmx::data_key))
        .route("/sdmx/2.1/data/{flow}/{key}/{provider}", get(sdmx::data_key_provider))
        .route("/sdmx/2.1/{resource}", get(sdmx::structure))
        .route("/sdmx/2.1/{resource}/{agency}", get(sdmx::structure))
        .route("/sdmx/2.1/{resource}/{agency}/{id}", get(sdmx::structure))
        .route("/sdmx/2.1/{resource}/{agency}/{id}/{version}", get(sdmx::structure))
        .layer(RequestBodyLimitLayer::new(GRAPHQL_BODY_LIMIT));
    let feeds = Router::new()
        .route("/api/v1/feeds/observations", post(feeds::push_feed))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(feed_limit));
    let assets = Router::new()
        .route("/graphiql/{version}/{file}", get(assets::graphiql_file))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/app.js", get(dashboard::script))
        .route("/dashboard/style.css", get(dashboard::style));
    let health = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics));
    let tracked = axum::middleware::from_fn_with_state(state.clone(), track);
    api.merge(feeds)
        .layer(in_flight)
        .merge(health)
        .merge(assets)
        .with_state(state)
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .layer(cors())
        .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, request_timeout))
        // Outside the timeout, so its 504 too is answered in JSON.
        .layer(axum::middleware::map_response(json_errors))
        .layer(tracked)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
                    let path = request.uri().path();
                    tracing::info_span!(
                        "request",
                        otel.name = %format!("{} {}", request.method(), route.unwrap_or(path)),
                        otel.kind = "server",
                        http.request.method = %request.method(),
                        url.path = %path,
                        http.response.status_code = tracing::field::Empty,
                        request_id,
                    )
                })
                .on_response(|response: &Response, latency: Duration, span: &tracing::Span| {
                    span.record("http.response.status_code", response.status().as_u16());
                    // The access log: one line per request, under its request id.
                    tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis(), "answered");
                }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Dashboards on another origin: any origin may call (a token, not a cookie, is the
/// credential, so no origin gains what it did not hold), send the headers the API reads,
/// and read the headers a client acts on: the request id to quote, and when to retry.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, IDEMPOTENCY_KEY])
        .expose_headers([REQUEST_ID, header::RETRY_AFTER])
        // Browsers keep the answer to a preflight this long (most cap it at 2 hours).
        .max_age(Duration::from_secs(2 * 60 * 60))
}

/// 503 from the in-flight limit, counted as `overloaded` rather than as a database outage.
async fn overloaded(_: tower::BoxError) -> Response {
    let mut response = problem(ErrorCode::Unavailable, "the server is at capacity; try again shortly");
    response.extensions_mut().insert(Outcome {
        operation: String::new(),
        outcome: ErrorCode::Unavailable.as_str().to_owned(),
        rejected: Some(Rejection::Overloaded),
    });
    response
}

async fn not_found() -> Response {
    problem(ErrorCode::NotFound, "no such endpoint: see /graphql")
}
