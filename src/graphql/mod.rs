//! The GraphQL schema of `contract.graphql`: thin resolvers over the use-cases (`service`),
//! with one DataLoader per relation so a nested query runs a fixed number of statements.

mod areas;
mod audit;
mod catalogue;
mod cells;
mod context;
mod enums;
mod error;
mod helpers;
mod limits;
mod loaders;
mod mutation;
mod observations;
mod pages;
mod persisted;
mod plans;
mod principal;
mod query;
mod reporting;
mod scalars;
mod subscription;

use std::sync::Arc;

use async_graphql::Schema;

pub use context::RequestContext;
pub use limits::{check as check_limits, request_error, selected_operation};
pub use persisted::PersistedQueries;

use crate::auth::Keys;
use crate::store::Store;

pub type HubSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// Limits and settings of the API, enforced before and while resolvers run.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Largest `first` of a page.
    pub max_page_size: usize,
    /// Largest number of rows in one push.
    pub max_push_rows: usize,
    /// Largest CSV feed body, in bytes.
    pub max_feed_bytes: usize,
    /// Largest number of lexical tokens in an operation's text.
    pub max_tokens: usize,
    /// Largest number of aliases written in an operation.
    pub max_aliases: usize,
    /// Largest number of directives written in an operation.
    pub max_directives: usize,
    /// Largest number of fields an operation selects once its fragments are written out.
    pub max_fields: usize,
    /// Largest number of operations in one batched request.
    pub max_batch: usize,
    /// Longest a request may take: then 504, and its work is dropped (`GDH_REQUEST_TIMEOUT`).
    pub request_timeout: std::time::Duration,
    /// Requests in flight past which more are refused with 503 (`GDH_MAX_IN_FLIGHT`).
    pub max_in_flight: usize,
    /// Sustained requests per second per token, and the burst above it
    /// (`GDH_RATE_LIMIT`, `GDH_RATE_BURST`); more get 429.
    pub token_rate_per_second: u32,
    pub token_burst: u32,
    /// Whether the schema can be introspected (never by partners).
    pub introspection: bool,
    /// What partners may not see (`GDH_DISCLOSURE_THRESHOLD`).
    pub disclosure: crate::domain::disclosure::DisclosureRule,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            // The deepest useful query (plans → children → objectives → targets →
            // assignments → agency → area → parent) is about 10 levels.
            max_depth: 15,
            // a full page (1,000 rows) of up to 50 fields; not a page per indicator
            max_complexity: 50_000,
            max_page_size: 1_000,
            max_push_rows: crate::domain::push::DEFAULT_MAX_ROWS,
            // 100,000 rows of about 80 bytes, with room to spare
            max_feed_bytes: 32 * 1024 * 1024,
            // The deepest useful query is a few hundred tokens.
            max_tokens: 5_000,
            max_aliases: 50,
            max_directives: 50,
            // 5,000 tokens write at most about 2,500 fields; only spreads of spreads go past.
            max_fields: 5_000,
            max_batch: 10,
            // Longer than the statement timeout (25 s), so a slow statement reports itself first.
            request_timeout: std::time::Duration::from_secs(30),
            // Two cores serve a few hundred light requests at once; beyond, answers only slow down.
            max_in_flight: 256,
            token_rate_per_second: 50,
            token_burst: 100,
            introspection: true,
            disclosure: crate::domain::disclosure::DisclosureRule::default(),
        }
    }
}

pub fn build_schema(
    store: Arc<dyn Store>,
    keys: Arc<Keys>,
    settings: &ApiSettings,
    metrics: Arc<crate::metrics::Metrics>,
) -> HubSchema {
    Schema::build(query::Query, mutation::Mutation, subscription::Subscription)
        .data(store)
        .data(metrics)
        .data(keys)
        .data(settings.clone())
        .limit_depth(settings.max_depth)
        .limit_complexity(settings.max_complexity)
        .limit_directives(settings.max_directives)
        .disable_suggestions()
        .finish()
}

/// The served schema in SDL, as written to `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::Query, mutation::Mutation, subscription::Subscription).finish().sdl()
}
