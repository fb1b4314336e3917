//! The GraphQL schema of `../shared/contract.graphql`: thin resolvers over the store, with
//! one DataLoader per relation so a nested query runs a fixed number of statements.

mod context;
mod error;
mod loaders;
mod query;
mod types;

use std::sync::Arc;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

pub use context::RequestContext;
pub use error::INTERNAL_MESSAGE;

use crate::store::Store;

pub type HubSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Limits enforced before any resolver runs.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        // The deepest useful query (plans → children → objectives → targets →
        // assignments → agency → area → parent) is about 10 levels.
        QueryLimits { max_depth: 15, max_complexity: 5_000 }
    }
}

pub fn build_schema(store: Arc<dyn Store>, limits: &QueryLimits) -> HubSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .data(store)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .finish()
}

/// The served schema in SDL, as written to `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::Query, EmptyMutation, EmptySubscription).finish().sdl()
}
