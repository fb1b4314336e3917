//! The error codes this hub answers, in one place: each code's wire name (GraphQL's
//! `extensions.code`, the JSON error bodies of the CSV endpoints and of the middleware, the
//! `outcome` label of the metrics), its HTTP status, the message a client gets when nothing
//! more specific is said, and the one reading of a [`DomainError`] as a code. The reasons
//! the metrics give for refused requests are the second, smaller vocabulary kept here.
//!
//! The domain knows nothing of this module: codes and statuses are the transports' concern.

use std::borrow::Cow;

use axum::http::StatusCode;

use crate::domain::DomainError;

/// What a client sees of an unexpected failure; the HTTP layer adds the request id
/// ([`internal_message`]) so the client can quote it.
pub const INTERNAL_MESSAGE: &str = "internal error";
/// What a client sees when the database is down or overloaded.
pub const UNAVAILABLE_MESSAGE: &str = "the database is unavailable or busy; try again shortly";

/// Every code the hub answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No bearer token, or one that is malformed, expired or revoked.
    Unauthenticated,
    /// The caller may not do this, or not on this area.
    Forbidden,
    NotFound,
    /// A GraphQL operation or argument the hub refuses (limits, validation, bad values).
    BadUserInput,
    /// A body that is not a request at all (not JSON, not a GraphQL request).
    BadRequest,
    /// This server is not set up for the request (a verify-only replica asked to sign).
    NotSupported,
    RateLimited,
    /// The database, or the server itself, cannot take the request now: worth a retry.
    Unavailable,
    Timeout,
    Internal,
    PayloadTooLarge,
    MethodNotAllowed,
    UnsupportedMediaType,
    /// None of the formats the request's Accept header names is one the endpoint writes.
    NotAcceptable,
    /// A persisted query's hash this server does not know: send the text with it.
    PersistedQueryNotFound,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::BadUserInput,
        ErrorCode::BadRequest,
        ErrorCode::NotSupported,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Timeout,
        ErrorCode::Internal,
        ErrorCode::PayloadTooLarge,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotAcceptable,
        ErrorCode::PersistedQueryNotFound,
    ];

    /// The name clients read.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::NotSupported => "NOT_SUPPORTED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::NotAcceptable => "NOT_ACCEPTABLE",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
        }
    }

    /// The status an HTTP answer that carries this code has. (A GraphQL response carries
    /// its errors with 200, or 400 when it could not run: the status is the endpoints'.)
    pub const fn status(self) -> StatusCode {
        match self {
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::BadUserInput | ErrorCode::BadRequest | ErrorCode::PersistedQueryNotFound => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::NotSupported => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
        }
    }

    /// The code of an answer known only by its status (what middleware answered, or a
    /// handler that said no more): `None` for anything but an error. A status several codes
    /// share, or none has, reads as the generic code of its class: any other 4xx is
    /// `BAD_REQUEST`, any other 5xx (501 included) `INTERNAL`; a 408 is a `TIMEOUT` too.
    pub fn from_status(status: StatusCode) -> Option<ErrorCode> {
        if status.is_success() || status.is_redirection() || status.is_informational() {
            return None;
        }
        // The codes that are alone in answering their status.
        const OWN_STATUS: &[ErrorCode] = &[
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::PayloadTooLarge,
            ErrorCode::MethodNotAllowed,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::NotAcceptable,
            ErrorCode::Timeout,
            ErrorCode::Unavailable,
            ErrorCode::RateLimited,
        ];
        let own = OWN_STATUS.iter().copied().find(|code| code.status() == status);
        Some(match own {
            Some(code) => code,
            None if status == StatusCode::REQUEST_TIMEOUT => ErrorCode::Timeout,
            None if status.is_server_error() => ErrorCode::Internal,
            None => ErrorCode::BadRequest,
        })
    }

    /// What a client is told when the answer said nothing of its own (a plain or empty
    /// error body from middleware).
    pub const fn default_message(self) -> &'static str {
        match self {
            ErrorCode::PayloadTooLarge => "the request body is larger than this endpoint takes",
            ErrorCode::MethodNotAllowed => "this endpoint does not take that method",
            ErrorCode::UnsupportedMediaType => "this endpoint does not take that content type",
            ErrorCode::NotAcceptable => "this endpoint does not write that format",
            ErrorCode::Timeout => "the request took too long and was stopped",
            ErrorCode::Unavailable => "the service is unavailable; try again",
            ErrorCode::RateLimited => "too many requests; slow down",
            ErrorCode::Internal => "unexpected error",
            ErrorCode::Unauthenticated => "a valid bearer token is needed",
            ErrorCode::Forbidden => "not allowed",
            ErrorCode::NotFound => "not found",
            ErrorCode::PersistedQueryNotFound => "PersistedQueryNotFound",
            ErrorCode::BadUserInput | ErrorCode::BadRequest | ErrorCode::NotSupported => "the request is not valid",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// [`INTERNAL_MESSAGE`] with the request id the failure was logged under.
pub fn internal_message(request_id: &str) -> String {
    format!("{INTERNAL_MESSAGE} (request id {request_id})")
}

/// What a client is told of a [`DomainError`], whatever the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientError {
    pub code: ErrorCode,
    /// Safe to show: a storage failure's detail (SQL, paths) never is.
    pub message: Cow<'static, str>,
    /// The argument at fault, for a bad input.
    pub argument: Option<String>,
}

impl ClientError {
    /// The one reading of a domain error as a code. A storage failure's detail goes to the
    /// log here, under the request's span (which carries the request id the client gets),
    /// and only there.
    pub fn of(error: &DomainError) -> ClientError {
        let (code, message, argument) = match error {
            DomainError::NotFound { .. } | DomainError::UnknownArea(_) | DomainError::Absent(_) => {
                (ErrorCode::NotFound, error.to_string().into(), None)
            }
            DomainError::Forbidden(_) => (ErrorCode::Forbidden, error.to_string().into(), None),
            DomainError::TooLarge(_) => (ErrorCode::PayloadTooLarge, error.to_string().into(), None),
            DomainError::BadInput { argument, .. } => {
                (ErrorCode::BadUserInput, error.to_string().into(), Some(argument.clone()))
            }
            DomainError::NotSupported(_) => (ErrorCode::NotSupported, error.to_string().into(), None),
            DomainError::Unavailable(inner) => {
                tracing::warn!(error = %inner, "storage unavailable");
                (ErrorCode::Unavailable, UNAVAILABLE_MESSAGE.into(), None)
            }
            DomainError::Storage(inner) => {
                tracing::error!(error = %inner, "storage failure");
                (ErrorCode::Internal, INTERNAL_MESSAGE.into(), None)
            }
        };
        ClientError { code, message, argument }
    }
}

/// Why a request was turned away before any work: the `reason` label of the metrics'
/// `rejected_requests_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    BadRequest,
    Unauthenticated,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Unavailable,
    Timeout,
    /// More requests in flight than the server takes.
    Overloaded,
    /// A batch of no operations, or of more than the limit.
    BatchLimit,
    /// An operation over one of the limits checked before it runs.
    QueryLimit,
}

impl Rejection {
    /// The label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rejection::BadRequest => "bad_request",
            Rejection::Unauthenticated => "unauthenticated",
            Rejection::MethodNotAllowed => "method_not_allowed",
            Rejection::PayloadTooLarge => "payload_too_large",
            Rejection::UnsupportedMediaType => "unsupported_media_type",
            Rejection::RateLimited => "rate_limited",
            Rejection::Unavailable => "unavailable",
            Rejection::Timeout => "timeout",
            Rejection::Overloaded => "overloaded",
            Rejection::BatchLimit => "batch_limit",
            Rejection::QueryLimit => "query_limit",
        }
    }

    /// The refusal an answer's status means, when the handler said nothing: only the exact
    /// status of a code that turns requests away (a 409 is no `bad_request`, a 408 no
    /// `timeout`); forbidden, not found and failures did work first.
    pub fn for_status(status: StatusCode) -> Option<Rejection> {
        let code = ErrorCode::from_status(status).filter(|code| code.status() == status)?;
        Some(match code {
            ErrorCode::BadRequest => Rejection::BadRequest,
            ErrorCode::Unauthenticated => Rejection::Unauthenticated,
            ErrorCode::MethodNotAllowed => Rejection::MethodNotAllowed,
            ErrorCode::PayloadTooLarge => Rejection::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType => Rejection::UnsupportedMediaType,
            ErrorCode::RateLimited => Rejection::RateLimited,
            ErrorCode::Unavailable => Rejection::Unavailable,
            ErrorCode::Timeout => Rejection::Timeout,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_name_of_its_own() {
        let names: std::collections::BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_status_reads_as_the_code_that_answers_it() {
        for &code in ErrorCode::ALL {
            let read = ErrorCode::from_status(code.status());
            match code {
                // 400 is shared: what middleware answers is a bad request, not a bad operation.
                ErrorCode::BadUserInput | ErrorCode::PersistedQueryNotFound => {
                    assert_eq!(read, Some(ErrorCode::BadRequest))
                }
                ErrorCode::NotSupported => assert_eq!(read, Some(ErrorCode::Internal)),
                _ => assert_eq!(read, Some(code)),
            }
        }
        assert_eq!(ErrorCode::from_status(StatusCode::OK), None);
        assert_eq!(ErrorCode::from_status(StatusCode::NOT_MODIFIED), None);
        assert_eq!(ErrorCode::from_status(StatusCode::REQUEST_TIMEOUT), Some(ErrorCode::Timeout));
        assert_eq!(ErrorCode::from_status(StatusCode::CONFLICT), Some(ErrorCode::BadRequest));
        assert_eq!(ErrorCode::from_status(StatusCode::BAD_GATEWAY), Some(ErrorCode::Internal));
    }

    #[test]
    fn only_the_statuses_of_turning_away_are_refusals() {
        let refusals: Vec<_> = [400u16, 401, 403, 404, 405, 408, 409, 413, 415, 429, 500, 501, 503, 504]
            .into_iter()
            .filter_map(|s| StatusCode::from_u16(s).ok())
            .filter_map(|s| Rejection::for_status(s).map(|r| (s.as_u16(), r.as_str())))
            .collect();
        assert_eq!(
            refusals,
            [
                (400, "bad_request"),
                (401, "unauthenticated"),
                (405, "method_not_allowed"),
                (413, "payload_too_large"),
                (415, "unsupported_media_type"),
                (429, "rate_limited"),
                (503, "unavailable"),
                (504, "timeout"),
            ]
        );
    }
}
