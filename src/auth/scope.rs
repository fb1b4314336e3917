use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Principal, Role};
use crate::domain::DomainError;
use crate::store::{Store, StoreError};

/// The areas a principal may read: everything for `admin`, otherwise the subtree under the
/// token's area (the area and all its descendants).
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    Subtree(Arc<BTreeSet<String>>),
}

impl Scope {
    pub async fn of(principal: &Principal, store: &dyn Store) -> Result<Scope, StoreError> {
        match (&principal.role, &principal.area_code) {
            (Role::Admin, None) => Ok(Scope::All),
            (_, Some(area)) => Ok(Scope::Subtree(Arc::new(store.area_subtree(area).await?.into_iter().collect()))),
            // Tokens are checked to carry an area for every other role; an empty scope is
            // the safe reading should one ever lack it.
            (_, None) => Ok(Scope::Subtree(Arc::default())),
        }
    }

    pub fn allows(&self, area_code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree(codes) => codes.contains(area_code),
        }
    }

    /// Narrows a list of area codes to the scope; `None` ("no restriction") becomes the
    /// scope itself.
    pub fn restrict(&self, codes: Option<Vec<String>>) -> Option<Vec<String>> {
        match (self, codes) {
            (Scope::All, codes) => codes,
            (Scope::Subtree(scope), None) => Some(scope.iter().cloned().collect()),
            (Scope::Subtree(scope), Some(codes)) => Some(codes.into_iter().filter(|c| scope.contains(c)).collect()),
        }
    }
}

impl Scope {
    /// The areas a read of values covers: `area_code` alone or with everything below it
    /// (NOT_FOUND when unknown, FORBIDDEN outside the scope), else the whole scope.
    /// `None` means any area.
    pub async fn areas_to_read(
        &self,
        store: &dyn Store,
        area_code: Option<&str>,
        include_descendants: bool,
    ) -> Result<Option<Vec<String>>, DomainError> {
        let Some(code) = area_code else { return Ok(self.restrict(None)) };
        if store.areas_by_codes(&[code.to_owned()]).await?.is_empty() {
            return Err(DomainError::not_found("area", code));
        }
        if !self.allows(code) {
            return Err(DomainError::Forbidden(format!("area {code} is outside your area")));
        }
        if include_descendants {
            Ok(self.restrict(Some(store.area_subtree(code).await?)))
        } else {
            Ok(Some(vec![code.to_owned()]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_allows_only_its_areas() {
        let scope = Scope::Subtree(Arc::new(["24".to_string(), "216".to_string()].into_iter().collect()));
        assert!(scope.allows("216"));
        assert!(!scope.allows("14"));
        assert_eq!(scope.restrict(Some(vec!["216".into(), "121".into()])), Some(vec!["216".to_string()]));
        assert_eq!(scope.restrict(None), Some(vec!["216".to_string(), "24".to_string()]));
        assert_eq!(Scope::All.restrict(None), None);
    }
}
