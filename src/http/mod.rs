//! The HTTP surface: `/graphql` (POST for operations, GET for GraphiQL, `/graphql/ws` for
//! subscriptions), the CSV endpoints, `/healthz`, `/readyz`, `/metrics`, and the middleware
//! every request passes through. One file per concern:
//!
//! - `router`: [`app`], its routes and layers;
//! - `extract`: the `Authenticated` caller, as a request shows it;
//! - `limiter`: the per-token rate limit;
//! - `problem`: the one JSON error body, and the middleware that gives it to every error;
//! - `track`: the metrics middleware;
//! - `graphql`, `feeds`, `health`: the handlers;
//! - `assets`: GraphiQL's page and files, compiled in;
//! - `dashboard`: the built-in dashboard page and its server-rendered view.
//!
//! Error codes and their statuses are [`crate::error`]'s.

mod assets;
mod dashboard;
mod extract;
mod feeds;
mod graphql;
mod health;
mod limiter;
mod problem;
mod router;
mod sdmx;
mod track;

use std::sync::Arc;

use axum::http::HeaderName;

use crate::auth::Keys;
use crate::graphql::{ApiSettings, HubSchema, PersistedQueries};
use crate::metrics::Metrics;
use crate::store::Store;

pub use limiter::TokenLimiter;
pub use router::{app, drain_deadline};

/// Set on every request (or kept from the client), answered back, and quoted in errors.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// A push's retry key, as a header (the feed endpoint also takes it as a parameter).
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Query texts a server keeps for automatic persisted queries: the few dozen a dashboard
/// sends, many times over.
const PERSISTED_QUERIES: std::num::NonZeroUsize = std::num::NonZeroUsize::new(1_000).expect("not zero");

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub schema: HubSchema,
    pub settings: ApiSettings,
    pub limiter: Arc<TokenLimiter>,
    pub metrics: Arc<Metrics>,
    pub persisted: Arc<PersistedQueries>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, keys: Arc<Keys>, settings: ApiSettings) -> AppState {
        let metrics = Arc::new(Metrics::new(store.clone()));
        let schema = crate::graphql::build_schema(store.clone(), keys.clone(), &settings, metrics.clone());
        let limiter = Arc::new(TokenLimiter::for_settings(&settings));
        let persisted = Arc::new(PersistedQueries::new(PERSISTED_QUERIES));
        AppState { store, keys, schema, settings, limiter, metrics, persisted }
    }
}
