//! The HTTP surface: `/graphql` (POST for operations, GET for GraphiQL), `/healthz`,
//! `/readyz`, and the middleware every request passes through.

mod feeds;
mod graphql;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::Keys;
use crate::graphql::{ApiSettings, HubSchema};
use crate::store::Store;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Largest GraphQL request body.
const GRAPHQL_BODY_LIMIT: usize = 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests each token may make, tracked per token id.
pub type TokenLimiter = governor::DefaultKeyedRateLimiter<String>;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub schema: HubSchema,
    pub settings: ApiSettings,
    pub limiter: Arc<TokenLimiter>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, keys: Arc<Keys>, settings: ApiSettings) -> AppState {
        let schema = crate::graphql::build_schema(store.clone(), keys.clone(), &settings);
        let per_second = std::num::NonZeroU32::new(settings.token_rate_per_second).unwrap_or(std::num::NonZeroU32::MIN);
        let burst = std::num::NonZeroU32::new(settings.token_burst).unwrap_or(per_second);
        let limiter =
            Arc::new(governor::RateLimiter::dashmap(governor::Quota::per_second(per_second).allow_burst(burst)));
        AppState { store, keys, schema, settings, limiter }
    }
}

/// The router production serves; tests drive the very same one.
pub fn app(state: AppState) -> Router {
    let feed_limit = state.settings.max_feed_bytes;
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
        .layer(RequestBodyLimitLayer::new(GRAPHQL_BODY_LIMIT));
    let feeds = Router::new()
        .route("/api/v1/feeds/observations", post(feeds::push_feed))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(feed_limit));
    let health = Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz));
    api.merge(feeds)
        .layer(in_flight)
        .merge(health)
        .with_state(state)
        .fallback(not_found)
        .layer(axum::middleware::map_response(json_errors))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::POST]).allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
        ]))
        .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, REQUEST_TIMEOUT))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

async fn overloaded(_: tower::BoxError) -> Response {
    let mut response = graphql::problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
        "the server is at capacity; try again shortly",
    );
    response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
    response
}

async fn not_found() -> Response {
    graphql::problem(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint: see /graphql")
}

/// Errors that middleware answers (413 from the body limit, 504 from the timeout, 405 for
/// a wrong method) come with a plain or empty body: clients get JSON, as for every other
/// error.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/graphql-response+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "the request body is larger than this endpoint takes"),
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "this endpoint does not take that method"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("UNSUPPORTED_MEDIA_TYPE", "this endpoint does not take that content type")
        }
        StatusCode::GATEWAY_TIMEOUT | StatusCode::REQUEST_TIMEOUT => {
            ("TIMEOUT", "the request took too long and was stopped")
        }
        StatusCode::SERVICE_UNAVAILABLE => ("UNAVAILABLE", "the service is unavailable; try again"),
        StatusCode::TOO_MANY_REQUESTS => ("RATE_LIMITED", "too many requests; slow down"),
        s if s.is_server_error() => ("INTERNAL", "unexpected error"),
        _ => ("BAD_REQUEST", "the request is not valid"),
    };
    let mut json = graphql::problem(status, code, message);
    // Keep what the original answer said about retrying or the allowed methods.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            json.headers_mut().insert(name, value.clone());
        }
    }
    json
}

/// The process is up.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(json!({ "status": "ready", "database": state.store.backend() })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": state.store.backend() })),
            )
                .into_response()
        }
    }
}
