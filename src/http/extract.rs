//! Who is calling, as a request shows it: the bearer token, verified, not revoked, within
//! its rate; and the request id the request carries.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

use super::problem::problem;
use super::{AppState, REQUEST_ID};
use crate::auth::{AuthError, Principal};
use crate::error::ErrorCode;
use crate::service::tokens::{authenticate, AuthenticationError};

/// What a caller is told when its token's revocation cannot be checked.
pub const REVOCATION_UNCHECKED: &str = "the database is unavailable; try again";
/// What a caller is told past its token's rate.
pub const TOKEN_OVER_RATE: &str = "too many requests with this token; slow down";

/// The verified caller. Without a valid bearer token the request stops here with 401.
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = bearer_token(&parts.headers).map_err(unauthorized)?;
        match authenticate(&state.keys, state.store.as_ref(), token).await {
            Ok(principal) => match over_rate(state, &principal) {
                Some(refused) => Err(refused),
                None => Ok(Authenticated(principal)),
            },
            Err(AuthenticationError::Token(e)) => Err(unauthorized(e)),
            Err(AuthenticationError::Store(e)) => {
                tracing::error!(error = %e, "cannot check token revocation");
                Err(problem(ErrorCode::Unavailable, REVOCATION_UNCHECKED))
            }
        }
    }
}

/// The request's id, as the request-id layer set it (or the client sent it).
pub fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get(REQUEST_ID).and_then(|v| v.to_str().ok())
}

/// 429 with `Retry-After` once a token spends its burst faster than its rate refills it.
fn over_rate(state: &AppState, principal: &Principal) -> Option<Response> {
    use governor::clock::Clock;
    state.limiter.check(&principal.jti).err().map(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response = problem(ErrorCode::RateLimited, TOKEN_OVER_RATE);
        if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    })
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let value = headers.get(header::AUTHORIZATION).ok_or(AuthError::Missing)?;
    let value = value.to_str().map_err(|_| AuthError::NotBearer)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthError::NotBearer);
    }
    Ok(token.trim())
}

/// 401, saying which scheme is wanted.
fn unauthorized(error: AuthError) -> Response {
    let mut response = problem(ErrorCode::Unauthenticated, &error.to_string());
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The URL parameters a request takes, by their names in the URL.
pub trait ParamNames {
    const NAMES: &'static [&'static str];
}

/// A request's URL parameters as `T`, every one known: a name the endpoint does not take
/// (`?area=216` for `areaCode`) is a 400 naming it and the names there are, so a misspelt
/// filter never quietly selects everything; so is a value of the wrong kind.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned + ParamNames, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let query = parts.uri.query().unwrap_or("");
        let refused = |message: String| problem(ErrorCode::BadUserInput, &message);
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| refused(format!("the URL's parameters cannot be read: {e}")))?;
        let mut unknown: Vec<&str> = Vec::new();
        for (name, _) in &pairs {
            if !T::NAMES.contains(&name.as_str()) && !unknown.contains(&name.as_str()) {
                unknown.push(name);
            }
        }
        if !unknown.is_empty() {
            let s = if unknown.len() > 1 { "s" } else { "" };
            return Err(refused(format!(
                "unknown URL parameter{s} `{}`: this endpoint takes {}",
                unknown.join("`, `"),
                T::NAMES.join(", ")
            )));
        }
        serde_urlencoded::from_str(query).map(Params).map_err(|e| refused(format!("bad URL parameter: {e}")))
    }
}
