//! What a resolver has at hand: the request's caller (its principal, request id and scope)
//! and the request's DataLoaders, through shorthands on async-graphql's `Context`.

use std::sync::Arc;

use async_graphql::Context;

use super::error::{GqlResult, OrGql};
use super::loaders::Loaders;
use crate::auth::{Principal, Scope};
use crate::domain::areas::AreaId;
use crate::service::Caller;
use crate::store::Store;

/// Per-request state: the caller and the DataLoaders, which batch within the request and
/// cache nothing beyond it.
pub struct RequestContext {
    pub caller: Caller,
    pub loaders: Loaders,
}

impl RequestContext {
    pub fn new(principal: Principal, request_id: Option<String>, store: Arc<dyn Store>) -> Self {
        let caller = Caller::new(principal, request_id);
        let loaders = Loaders::new(store, &caller);
        RequestContext { caller, loaders }
    }
}

/// Shorthands resolvers use on `Context`.
pub trait ContextExt {
    fn request(&self) -> &RequestContext;
    fn caller(&self) -> &Caller;
    fn principal(&self) -> &Principal;
    fn store(&self) -> &Arc<dyn Store>;
    async fn scope(&self) -> GqlResult<&Scope>;
    /// Fails with FORBIDDEN unless the area is inside the caller's subtree.
    /// FORBIDDEN unless the unit (`id`, of `code`) is inside the caller's reach.
    async fn require_area(&self, id: AreaId, code: &str) -> GqlResult<()>;
}

impl ContextExt for Context<'_> {
    fn request(&self) -> &RequestContext {
        self.data_unchecked::<RequestContext>()
    }

    fn caller(&self) -> &Caller {
        &self.request().caller
    }

    fn principal(&self) -> &Principal {
        &self.request().caller.principal
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.data_unchecked::<Arc<dyn Store>>()
    }

    async fn scope(&self) -> GqlResult<&Scope> {
        self.caller().scope(self.store().as_ref()).await.gql()
    }

    async fn require_area(&self, id: AreaId, code: &str) -> GqlResult<()> {
        self.caller().require_area(self.store().as_ref(), id, code).await.gql()
    }
}
