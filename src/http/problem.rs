//! The one JSON error body, `{"errors": [{"message", "extensions": {"code"}}]}`, shaped like
//! a GraphQL response so clients read every error the same way, whichever endpoint or
//! layer answered it; and the middleware that gives it to errors answered without it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::domain::DomainError;
use crate::error::{internal_message, ClientError, ErrorCode};
use crate::metrics::Outcome;

/// An error before any operation ran, with the status its code has.
pub fn problem(code: ErrorCode, message: &str) -> Response {
    body(code.status(), code, message)
}

/// A domain error as the CSV endpoints answer it; an unexpected failure quotes the request
/// id it was logged under.
pub fn domain_problem(error: &DomainError, request_id: &str) -> Response {
    let ClientError { code, message, .. } = ClientError::of(error);
    match code {
        ErrorCode::Internal => problem(code, &internal_message(request_id)),
        _ => problem(code, &message),
    }
}

/// A 503 (a full server, a database down or busy) says when to try again: a second, as
/// either may have passed by then.
fn body(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// Errors that middleware answers (413 from the body limit, 504 from the timeout, 405 for
/// a wrong method) come with a plain or empty body: clients get JSON, as for every other
/// error. The status stays what it was, even where its code has another (a 408 is a
/// `TIMEOUT`).
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/graphql-response+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = ErrorCode::from_status(status).unwrap_or(ErrorCode::BadRequest);
    let mut json = body(status, code, code.default_message());
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
