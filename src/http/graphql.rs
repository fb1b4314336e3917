//! GraphQL over HTTP: operations by POST `/graphql`, GraphiQL by GET, subscriptions over
//! the WebSocket of `/graphql/ws`. Each operation's limits are checked before it runs, and
//! every error leaves with a code.

use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use tracing::Instrument;

use super::extract::{request_id, Authenticated, REVOCATION_UNCHECKED, TOKEN_OVER_RATE};
use super::problem::problem;
use super::AppState;
use crate::auth::AuthError;
use crate::error::{internal_message, ErrorCode, Rejection};
use crate::graphql::{request_error, RequestContext};
use crate::metrics::{Outcome, OUTCOME_OK};
use crate::service::tokens::{authenticate, AuthenticationError};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// GraphiQL, to explore the API in a browser, with no network needed (its files are the
/// binary's, `assets`). Operations go by POST only: a GET carrying
/// one is refused (405), so a link or an image tag can never run a mutation.
pub async fn graphiql(uri: axum::http::Uri) -> Response {
    let carries_operation = uri.query().is_some_and(|q| {
        q.split('&').any(|pair| matches!(pair.split('=').next(), Some("query" | "operationName" | "variables")))
    });
    if carries_operation {
        let mut response = problem(ErrorCode::MethodNotAllowed, "send operations by POST, not GET");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    Html(super::assets::GRAPHIQL_PAGE).into_response()
}

/// Runs the operations of a POST for the authenticated caller, as the GraphQL-over-HTTP
/// specification asks: `application/json` only (415), unparsable JSON 400, a batch of at
/// most `max_batch` operations, limits checked before anything runs, and
/// `application/graphql-response+json` (with 400 for a request error) when asked for.
pub async fn execute(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_json(&headers) {
        return problem(
            ErrorCode::UnsupportedMediaType,
            "send the operation as JSON, with `Content-Type: application/json`",
        );
    }
    // Decided on the JSON's shape: serde would read `[]` as a request with every field unset.
    let parsed: Result<(Vec<async_graphql::Request>, bool), String> =
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Array(items)) => items
                .into_iter()
                .map(serde_json::from_value)
                .collect::<Result<Vec<_>, _>>()
                .map(|requests| (requests, true))
                .map_err(|e| e.to_string()),
            Ok(object @ serde_json::Value::Object(_)) => {
                serde_json::from_value(object).map(|request| (vec![request], false)).map_err(|e| e.to_string())
            }
            Ok(_) => Err("expected an object with `query`, or an array of them".to_owned()),
            Err(e) => Err(e.to_string()),
        };
    let (requests, batched) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return problem(ErrorCode::BadRequest, &format!("the body is not a GraphQL request: {e}")),
    };
    let settings = &state.settings;
    if requests.is_empty() || requests.len() > settings.max_batch {
        let message = format!("send 1 to {} operations in one batch (limit: batch)", settings.max_batch);
        let mut response = problem(ErrorCode::BadUserInput, &message);
        response.extensions_mut().insert(Outcome {
            operation: "(batch)".to_owned(),
            outcome: ErrorCode::BadUserInput.as_str().to_owned(),
            rejected: Some(Rejection::BatchLimit),
        });
        return response;
    }
    let request_id = request_id(&headers).unwrap_or("-").to_owned();
    let mut responses = Vec::with_capacity(requests.len());
    let mut outcome = None;
    for mut request in requests {
        // A hash in place of the text is resolved first: the limits are the text's.
        let checked = match state.persisted.resolve(&mut request) {
            Err(error) => Err((error, false)),
            Ok(text) => match crate::graphql::check_limits(&mut request, settings) {
                Err(error) => Err((error, true)),
                Ok(()) => Ok(text),
            },
        };
        let (response, operation, rejected) = match checked {
            // Named only as the client named it: a refused text may not have been parsed, and
            // parsing it now would undo the token limit. An unknown hash is not refused by
            // the limits, only answered with what to send.
            Err((error, over_limits)) => {
                let operation = request.operation_name.as_deref().map_or_else(|| "(refused)".to_owned(), label);
                let response = finish(async_graphql::Response::from_errors(vec![error]), &request_id, settings);
                (response, operation, over_limits)
            }
            Ok(text) => {
                if let Some(text) = text {
                    state.persisted.remember(text);
                }
                let operation = operation_name(&mut request);
                let context = RequestContext::new(principal.clone(), Some(request_id.clone()), state.store.clone());
                let mut request = request.data(context);
                if !settings.introspection || principal.role.reads_published_only() {
                    request = request.disable_introspection();
                }
                let span = tracing::info_span!(
                    "graphql",
                    otel.name = %format!("graphql {operation}"),
                    graphql.operation.name = %operation,
                    graphql.outcome = tracing::field::Empty,
                );
                let response = state.schema.execute(request).instrument(span.clone()).await;
                // After `finish`, which gives async-graphql's own errors their code.
                let response = finish(response, &request_id, settings);
                span.record("graphql.outcome", first_code(&response).unwrap_or(OUTCOME_OK));
                (response, operation, false)
            }
        };
        // A batch is counted once, under `(batch)`, with its first error.
        let code = first_code(&response).unwrap_or(OUTCOME_OK).to_owned();
        let rejected = rejected.then_some(Rejection::QueryLimit);
        outcome = match outcome {
            None => Some(Outcome { operation, outcome: code, rejected }),
            Some(earlier) => Some(Outcome {
                operation: "(batch)".to_owned(),
                outcome: if earlier.outcome == OUTCOME_OK { code } else { earlier.outcome },
                rejected: earlier.rejected.or(rejected),
            }),
        };
        responses.push(response);
    }

    let wants_graphql_response =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains(GRAPHQL_RESPONSE));
    // Under the newer media type a request that could not run at all is a 400.
    let refused = !batched
        && responses.first().is_some_and(|r| {
            r.data == async_graphql::Value::Null && !r.errors.is_empty() && r.errors.iter().all(|e| e.path.is_empty())
        });
    let mut http = if batched { Json(responses).into_response() } else { Json(responses.pop()).into_response() };
    if wants_graphql_response {
        http.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPHQL_RESPONSE));
        if refused {
            *http.status_mut() = StatusCode::BAD_REQUEST;
        }
    }
    if let Some(outcome) = outcome {
        http.extensions_mut().insert(outcome);
    }
    http
}

/// The operation's name for spans and metrics: the one asked for, else the document's
/// only operation's name, else `(anonymous)`.
fn operation_name(request: &mut async_graphql::Request) -> String {
    use async_graphql::parser::types::DocumentOperations;
    if let Some(name) = &request.operation_name {
        return label(name);
    }
    match request.parsed_query().map(|document| &document.operations) {
        Ok(DocumentOperations::Multiple(operations)) if operations.len() == 1 => {
            operations.keys().next().map_or_else(|| "(anonymous)".to_owned(), |name| label(name))
        }
        Ok(_) => "(anonymous)".to_owned(),
        Err(_) => "(unparsable)".to_owned(),
    }
}

/// A client's operation name as spans, logs and metrics show it: a GraphQL name of at most
/// 64 characters, else `(invalid)`; `operationName` is any JSON string, newlines included.
fn label(name: &str) -> String {
    let mut chars = name.chars();
    let well_formed = name.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if well_formed {
        name.to_owned()
    } else {
        "(invalid)".to_owned()
    }
}

fn first_code(response: &async_graphql::Response) -> Option<&str> {
    response.errors.iter().find_map(|e| match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    })
}

/// Gives every error a code: async-graphql's own (parse, validation, depth, complexity)
/// come without one. Unexpected failures were logged under the request id; the client gets
/// the id to quote.
fn finish(
    mut response: async_graphql::Response,
    request_id: &str,
    settings: &crate::graphql::ApiSettings,
) -> async_graphql::Response {
    for error in &mut response.errors {
        let code = error.extensions.as_ref().and_then(|e| e.get("code")).cloned();
        match code {
            Some(code) if code == async_graphql::Value::from(ErrorCode::Internal.as_str()) => {
                error.message = internal_message(request_id);
                error.extensions.get_or_insert_with(Default::default).set("requestId", request_id);
            }
            Some(_) => {}
            None => {
                if error.message == "Query is nested too deep." {
                    error.message =
                        format!("the operation is nested deeper than {} levels (limit: depth)", settings.max_depth);
                } else if error.message.starts_with("The recursion depth of the query cannot be greater than") {
                    // async-graphql's own guard on nesting through fragments (and cycles).
                    error.message = format!(
                        "the operation nests through fragments deeper than async-graphql reads ({}) (limit: recursion)",
                        error.message.rsplit(' ').next().unwrap_or_default().trim_matches('`')
                    );
                } else if error.message == "Query is too complex." {
                    error.message = format!(
                        "the operation is more complex than {} (limit: complexity; each list counts `first` times its items)",
                        settings.max_complexity
                    );
                }
                error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::BadUserInput.as_str());
            }
        }
    }
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
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
            GraphQLWebSocket::new(socket, SocketExecutor(state.clone()), protocol)
                .on_connection_init(move |payload| connection_data(state, payload))
                .serve()
        })
        .into_response()
}

/// What runs on the socket: subscriptions only (queries and mutations go by POST), each
/// checked when it starts as a POST is: the operation's limits, introspection, the token
/// still unexpired and not revoked, its rate. The token itself was checked once, at
/// `connection_init`; a running subscription ends when it is revoked or expires.
#[derive(Clone)]
struct SocketExecutor(AppState);

impl async_graphql::Executor for SocketExecutor {
    async fn execute(&self, _request: async_graphql::Request) -> async_graphql::Response {
        async_graphql::Response::from_errors(vec![only_subscriptions()])
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session: Option<std::sync::Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let state = self.0.clone();
        let principal = session
            .as_ref()
            .and_then(|data| data.get(&std::any::TypeId::of::<RequestContext>()))
            .and_then(|context| context.downcast_ref::<RequestContext>())
            .map(|context| context.caller.principal.clone());
        let started = async move {
            let refuse = |error: async_graphql::ServerError| {
                stream::once(std::future::ready(async_graphql::Response::from_errors(vec![error]))).boxed()
            };
            let (Some(principal), Some(session)) = (principal, session) else {
                return refuse(request_error(AuthError::Missing.to_string(), ErrorCode::Unauthenticated));
            };
            if let Err(error) = crate::graphql::check_limits(&mut request, &state.settings) {
                return refuse(error);
            }
            if !is_subscription(&mut request) {
                return refuse(only_subscriptions());
            }
            if principal.expires_at <= chrono::Utc::now() {
                return refuse(request_error(AuthError::Expired.to_string(), ErrorCode::Unauthenticated));
            }
            match state.store.is_revoked(&principal.jti).await {
                Ok(false) => {}
                Ok(true) => return refuse(request_error(AuthError::Revoked.to_string(), ErrorCode::Unauthenticated)),
                Err(e) => {
                    tracing::error!(error = %e, "cannot check token revocation");
                    return refuse(request_error(REVOCATION_UNCHECKED, ErrorCode::Unavailable));
                }
            }
            if state.limiter.check(&principal.jti).is_err() {
                return refuse(request_error(TOKEN_OVER_RATE, ErrorCode::RateLimited));
            }
            if !state.settings.introspection || principal.role.reads_published_only() {
                request = request.disable_introspection();
            }
            state.schema.execute_stream_with_session_data(request, session)
        };
        stream::once(started).flatten().boxed()
    }
}

fn only_subscriptions() -> async_graphql::ServerError {
    request_error(
        "this socket carries subscriptions: send queries and mutations by POST /graphql",
        ErrorCode::BadUserInput,
    )
}

/// Whether the operation the request runs is a subscription (after `check_limits` parsed it).
fn is_subscription(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else { return false };
    crate::graphql::selected_operation(document, name.as_deref())
        .is_some_and(|o| o.node.ty == OperationType::Subscription)
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
    data.insert(RequestContext::new(principal, None, state.store.clone()));
    Ok(data)
}
