//! Who is calling and how far they reach: a verified token's caller, and the area subtree
//! (phạm vi) it reads and writes in, worked out once per request from the areas table.

use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::auth::{Principal, Role, Scope};
use crate::domain::DomainError;
use crate::store::{Store, StoreError};

/// A request's caller: its token's principal, the request's id for the audit log, and its
/// scope, read on first use and shared by everything the request does (clones share it).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The HTTP request's id (`x-request-id`).
    pub request_id: Option<String>,
    scope: Arc<OnceCell<Scope>>,
}

impl Caller {
    pub fn new(principal: Principal, request_id: Option<String>) -> Caller {
        Caller { principal, request_id, scope: Arc::default() }
    }

    /// The areas this caller reaches.
    pub async fn scope(&self, store: &dyn Store) -> Result<&Scope, StoreError> {
        self.scope.get_or_try_init(|| scope_of(&self.principal, store)).await
    }

    /// FORBIDDEN unless the area is inside the caller's subtree.
    pub async fn require_area(&self, store: &dyn Store, area_code: &str) -> Result<(), DomainError> {
        if self.scope(store).await?.allows(area_code) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!("area {area_code} is outside your area")))
        }
    }

    /// Partners read the published view: approved values only, small sensitive counts withheld.
    pub fn reads_published_only(&self) -> bool {
        self.principal.role.reads_published_only()
    }
}

/// The areas a principal may reach: everything for the administrator, otherwise the
/// subtree under the token's area (the area and all its descendants).
async fn scope_of(principal: &Principal, store: &dyn Store) -> Result<Scope, StoreError> {
    match (&principal.role, &principal.area_code) {
        (Role::Admin, None) => Ok(Scope::All),
        (_, Some(area)) => Ok(Scope::subtree(store.area_subtree(area).await?)),
        // Tokens are checked to carry an area for every other role; an empty scope is
        // the safe reading should one ever lack it.
        (_, None) => Ok(Scope::subtree(Vec::new())),
    }
}

/// The areas a read of values covers: `area_code` alone or with everything below it
/// (NOT_FOUND when unknown, FORBIDDEN outside the scope), else the whole scope. `None`
/// means any area.
pub async fn areas_to_read(
    store: &dyn Store,
    caller: &Caller,
    area_code: Option<&str>,
    include_descendants: bool,
) -> Result<Option<Vec<String>>, DomainError> {
    let scope = caller.scope(store).await?;
    let Some(code) = area_code else { return Ok(scope.restrict(None)) };
    if store.areas_by_codes(&[code.to_owned()]).await?.is_empty() {
        return Err(DomainError::not_found("area", code));
    }
    caller.require_area(store, code).await?;
    if include_descendants {
        Ok(scope.restrict(Some(store.area_subtree(code).await?)))
    } else {
        Ok(Some(vec![code.to_owned()]))
    }
}
