use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{AppState, REQUEST_ID};
use crate::auth::{authenticate, AuthError, AuthenticationError, Principal};
use crate::graphql::{RequestContext, INTERNAL_MESSAGE};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// GraphiQL, to explore the API in a browser (operations themselves go by POST).
pub async fn graphiql() -> Html<String> {
    Html(async_graphql::http::GraphiQLSource::build().endpoint("/graphql").title("gender-data-hub").finish())
}

/// The verified caller. Without a valid bearer token the request stops here with 401.
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = bearer_token(&parts.headers).map_err(unauthorized)?;
        match authenticate(&state.keys, state.store.as_ref(), token).await {
            Ok(principal) => Ok(Authenticated(principal)),
            Err(AuthenticationError::Token(e)) => Err(unauthorized(e)),
            Err(AuthenticationError::Store(e)) => {
                tracing::error!(error = %e, "cannot check token revocation");
                let body = json!({ "errors": [{ "message": "the database is unavailable; try again", "extensions": { "code": "UNAVAILABLE" } }] });
                Err((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response())
            }
        }
    }
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

/// 401 with a GraphQL-shaped JSON body, so clients read every error the same way.
fn unauthorized(error: AuthError) -> Response {
    let body = json!({ "errors": [{ "message": error.to_string(), "extensions": { "code": "UNAUTHENTICATED" } }] });
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Runs one GraphQL operation for the authenticated caller.
pub async fn execute(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    headers: HeaderMap,
    Json(request): Json<async_graphql::Request>,
) -> Response {
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let context = RequestContext::new(principal, state.store.clone(), state.settings.disclosure);
    let mut response = state.schema.execute(request.data(context)).await;

    // Unexpected failures were logged under this request id; give the client the id to quote.
    for error in &mut response.errors {
        let internal = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from("INTERNAL"));
        if internal {
            error.message = format!("{INTERNAL_MESSAGE} (request id {request_id})");
            error.extensions.get_or_insert_with(Default::default).set("requestId", request_id.as_str());
        }
    }

    let wants_graphql_response =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains(GRAPHQL_RESPONSE));
    let mut http = Json(response).into_response();
    if wants_graphql_response {
        http.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPHQL_RESPONSE));
    }
    http
}

/// Subscriptions over `graphql-transport-ws` (and the older `graphql-ws`). Browsers cannot
/// set headers on a WebSocket, so the token comes in `connection_init`'s payload:
/// `{"token": "…"}` or `{"Authorization": "Bearer …"}`; a bad one closes the connection.
pub async fn subscriptions(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let schema = state.schema.clone();
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| connection_data(state, payload))
                .serve()
        })
        .into_response()
}

async fn connection_data(state: AppState, payload: serde_json::Value) -> async_graphql::Result<async_graphql::Data> {
    let token = ["token", "Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .map(|t| t.strip_prefix("Bearer ").or_else(|| t.strip_prefix("bearer ")).unwrap_or(t).trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| async_graphql::Error::new(AuthError::Missing.to_string()))?;
    let principal = authenticate(&state.keys, state.store.as_ref(), token).await.map_err(|e| {
        if let AuthenticationError::Store(e) = &e {
            tracing::error!(error = %e, "cannot check token revocation");
        }
        async_graphql::Error::new(e.to_string())
    })?;
    let mut data = async_graphql::Data::default();
    data.insert(RequestContext::new(principal, state.store.clone(), state.settings.disclosure));
    Ok(data)
}
