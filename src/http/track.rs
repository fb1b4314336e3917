//! The metrics middleware: every request counted and timed for `/metrics`, by the GraphQL
//! operation when the handler names one, by route otherwise.

use axum::extract::{MatchedPath, State};
use axum::response::Response;

use super::AppState;
use crate::error::{ErrorCode, Rejection};
use crate::metrics::{Outcome, OUTCOME_OK};

/// Labels a request by what its handler told ([`Outcome`]); a handler that told nothing (or
/// middleware that answered first) is read by its status.
pub async fn track(
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
    let outcome = told
        .map_or_else(|| ErrorCode::from_status(status).map_or(OUTCOME_OK, ErrorCode::as_str), |o| o.outcome.as_str());
    let rejected = told.and_then(|o| o.rejected).or_else(|| Rejection::for_status(status));
    state.metrics.observe(operation, outcome, rejected, started.elapsed());
    response
}
