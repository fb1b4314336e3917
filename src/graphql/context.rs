use std::sync::Arc;

use async_graphql::Context;
use tokio::sync::OnceCell;

use super::error::{GqlResult, OrGql};
use super::loaders::Loaders;
use crate::auth::{Principal, Scope};
use crate::domain::disclosure::DisclosureRule;
use crate::domain::DomainError;
use crate::store::Store;

/// Per-request state: the caller, its scope (computed on first use) and the DataLoaders,
/// which batch within the request and cache nothing beyond it.
pub struct RequestContext {
    pub principal: Principal,
    /// The HTTP request's id (`x-request-id`), for the audit log.
    pub request_id: Option<String>,
    scope: Arc<OnceCell<Scope>>,
    pub loaders: Loaders,
}

impl RequestContext {
    pub fn new(principal: Principal, store: Arc<dyn Store>, rule: DisclosureRule) -> RequestContext {
        let scope = Arc::new(OnceCell::new());
        let loaders = Loaders::new(store, &principal, scope.clone(), rule);
        RequestContext { principal, request_id: None, scope, loaders }
    }
}

/// Shorthands resolvers use on `Context`.
pub trait ContextExt {
    fn request(&self) -> &RequestContext;
    fn store(&self) -> &Arc<dyn Store>;
    async fn scope(&self) -> GqlResult<&Scope>;
    /// Fails with FORBIDDEN unless the area is inside the caller's subtree.
    async fn require_area(&self, area_code: &str) -> GqlResult<()>;
}

impl ContextExt for Context<'_> {
    fn request(&self) -> &RequestContext {
        self.data_unchecked::<RequestContext>()
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.data_unchecked::<Arc<dyn Store>>()
    }

    async fn scope(&self) -> GqlResult<&Scope> {
        let request = self.request();
        request.scope.get_or_try_init(|| Scope::of(&request.principal, self.store().as_ref())).await.gql()
    }

    async fn require_area(&self, area_code: &str) -> GqlResult<()> {
        if self.scope().await?.allows(area_code) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!("area {area_code} is outside your area"))).gql()
        }
    }
}
