//! The HTTP surface: `/graphql` (POST for operations, GET for GraphiQL), `/healthz`,
//! `/readyz`, and the middleware every request passes through.

mod feeds;
mod graphql;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, State};
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
use crate::metrics::{Metrics, Outcome};
use crate::store::Store;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Largest GraphQL request body.
const GRAPHQL_BODY_LIMIT: usize = 1024 * 1024;

/// How long a stopping server waits for open requests: any request has timed out by then.
pub fn drain_deadline(settings: &ApiSettings) -> Duration {
    settings.request_timeout + Duration::from_secs(5)
}

/// Requests each token may make, tracked per token id. A token's entry stays in memory until
/// pruned: every `prune_every` checks, entries whose allowance has refilled are dropped (a
/// token then starts afresh, as it would anyway), so tokens used once and never again do
/// not grow the map for as long as the server runs.
pub struct TokenLimiter {
    limiter: governor::DefaultKeyedRateLimiter<String>,
    checks: std::sync::atomic::AtomicU64,
    prune_every: u64,
}

impl TokenLimiter {
    pub fn new(quota: governor::Quota, prune_every: u64) -> TokenLimiter {
        TokenLimiter {
            limiter: governor::RateLimiter::dashmap(quota),
            checks: std::sync::atomic::AtomicU64::new(0),
            prune_every: prune_every.max(1),
        }
    }

    /// One request by the token `jti`: refused with the earliest moment it may try again.
    pub fn check(
        &self,
        jti: &str,
    ) -> Result<(), governor::NotUntil<<governor::clock::DefaultClock as governor::clock::Clock>::Instant>> {
        let checks = self.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if checks % self.prune_every == 0 {
            self.limiter.retain_recent();
        }
        // An owned key only for a token not seen yet would need a second lookup; jtis are short.
        self.limiter.check_key(&jti.to_owned())
    }

    /// Tokens tracked now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

/// Checks between two prunings of the rate limiter: a few seconds' traffic. A pruning walks
/// the tokens seen since the last one (hundreds, for this hub's users) inside the request
/// that triggers it: microseconds, not worth a task of its own.
const LIMITER_PRUNE_EVERY: u64 = 10_000;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub schema: HubSchema,
    pub settings: ApiSettings,
    pub limiter: Arc<TokenLimiter>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, keys: Arc<Keys>, settings: ApiSettings) -> AppState {
        let metrics = Arc::new(Metrics::new(store.clone()));
        let schema = crate::graphql::build_schema(store.clone(), keys.clone(), &settings, metrics.clone());
        let per_second = std::num::NonZeroU32::new(settings.token_rate_per_second).unwrap_or(std::num::NonZeroU32::MIN);
        let burst = std::num::NonZeroU32::new(settings.token_burst).unwrap_or(per_second);
        let quota = governor::Quota::per_second(per_second).allow_burst(burst);
        let limiter = Arc::new(TokenLimiter::new(quota, LIMITER_PRUNE_EVERY));
        AppState { store, keys, schema, settings, limiter, metrics }
    }
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
        .layer(RequestBodyLimitLayer::new(GRAPHQL_BODY_LIMIT));
    let feeds = Router::new()
        .route("/api/v1/feeds/observations", post(feeds::push_feed))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(feed_limit));
    let health =
        Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics));
    let tracked = axum::middleware::from_fn_with_state(state.clone(), track);
    api.merge(feeds)
        .layer(in_flight)
        .merge(health)
        .with_state(state)
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::POST]).allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
        ]))
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

async fn overloaded(_: tower::BoxError) -> Response {
    let mut response = graphql::problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
        "the server is at capacity; try again shortly",
    );
    response.extensions_mut().insert(Outcome {
        operation: String::new(),
        outcome: "UNAVAILABLE".to_owned(),
        rejected: Some("overloaded"),
    });
    response
}

/// Counts and times every request for `/metrics`: by the GraphQL operation when the
/// handler names one, by route otherwise.
async fn track(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or("(unmatched)", MatchedPath::as_str).to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let told = response.extensions().get::<Outcome>();
    let operation = told.map(|o| o.operation.as_str()).filter(|o| !o.is_empty()).unwrap_or(&route);
    let outcome = told.map_or_else(|| code_for_status(status).unwrap_or("OK"), |o| o.outcome.as_str());
    let rejected = told.and_then(|o| o.rejected).or_else(|| refusal_for_status(status));
    state.metrics.observe(operation, outcome, rejected, started.elapsed());
    response
}

/// The error code clients get for a status the middleware or a handler answered with.
fn code_for_status(status: StatusCode) -> Option<&'static str> {
    Some(match status {
        s if s.is_success() || s.is_redirection() || s.is_informational() => return None,
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::FORBIDDEN => "FORBIDDEN",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
        StatusCode::GATEWAY_TIMEOUT | StatusCode::REQUEST_TIMEOUT => "TIMEOUT",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        StatusCode::TOO_MANY_REQUESTS => "RATE_LIMITED",
        s if s.is_server_error() => "INTERNAL",
        _ => "BAD_REQUEST",
    })
}

/// Statuses that mean the request was turned away before any work, and why.
fn refusal_for_status(status: StatusCode) -> Option<&'static str> {
    Some(match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::GATEWAY_TIMEOUT => "timeout",
        _ => return None,
    })
}

/// Prometheus text. Left open like the health checks: it tells counts and timings, no data.
async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], state.metrics.render()).into_response()
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
    let code = code_for_status(status).unwrap_or("BAD_REQUEST");
    let message = match code {
        "PAYLOAD_TOO_LARGE" => "the request body is larger than this endpoint takes",
        "METHOD_NOT_ALLOWED" => "this endpoint does not take that method",
        "UNSUPPORTED_MEDIA_TYPE" => "this endpoint does not take that content type",
        "TIMEOUT" => "the request took too long and was stopped",
        "UNAVAILABLE" => "the service is unavailable; try again",
        "RATE_LIMITED" => "too many requests; slow down",
        "INTERNAL" => "unexpected error",
        "UNAUTHENTICATED" => "a valid bearer token is needed",
        "FORBIDDEN" => "not allowed",
        "NOT_FOUND" => "not found",
        _ => "the request is not valid",
    };
    let mut json = graphql::problem(status, code, message);
    if let Some(outcome) = response.extensions().get::<Outcome>() {
        json.extensions_mut().insert(outcome.clone());
    }
    // Keep what the original answer said (allowed methods, when to retry, CORS), but not
    // what described its body.
    for (name, value) in response.headers() {
        if ![header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING].contains(name) {
            json.headers_mut().append(name.clone(), value.clone());
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

#[cfg(test)]
mod tests {
    use super::TokenLimiter;

    #[test]
    fn tokens_whose_allowance_has_refilled_are_forgotten_as_checks_go_by() {
        let quota = governor::Quota::per_second(std::num::NonZeroU32::new(1_000).expect("non-zero"));
        let limiter = TokenLimiter::new(quota, 4);
        assert!(limiter.check("a").is_ok() && limiter.check("b").is_ok() && limiter.check("c").is_ok());
        assert_eq!(limiter.tracked(), 3);
        // A millisecond refills one request of a thousand a second.
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(limiter.check("d").is_ok(), "the fourth check prunes, then counts d");
        assert_eq!(limiter.tracked(), 1, "a, b and c were forgotten");
    }

    #[test]
    fn a_token_past_its_burst_is_refused_until_it_refills() {
        let quota = governor::Quota::per_hour(std::num::NonZeroU32::new(1).expect("non-zero"));
        let limiter = TokenLimiter::new(quota, 1);
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_err(), "pruning keeps a token that has not refilled");
        assert!(limiter.check("b").is_ok(), "each token has its own allowance");
    }
}
