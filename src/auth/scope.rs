//! The units a principal is confined to, as a set of ids: what it allows and how it narrows
//! a list. Reading it from the map is the use-cases' (`service::access`).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::domain::areas::AreaId;

/// The units a principal may reach: everything for `admin` and national tokens, otherwise
/// what the token's unit reaches (itself, the units under it, and the units whose territory
/// it took over whole, with theirs).
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    Reach(Arc<BTreeSet<AreaId>>),
}

impl Scope {
    pub fn reach(ids: Vec<AreaId>) -> Scope {
        Scope::Reach(Arc::new(ids.into_iter().collect()))
    }

    pub fn allows(&self, id: AreaId) -> bool {
        match self {
            Scope::All => true,
            Scope::Reach(ids) => ids.contains(&id),
        }
    }

    /// Narrows a list of units to the scope; `None` ("no restriction") becomes the scope
    /// itself.
    pub fn restrict(&self, ids: Option<Vec<AreaId>>) -> Option<Vec<AreaId>> {
        match (self, ids) {
            (Scope::All, ids) => ids,
            (Scope::Reach(scope), None) => Some(scope.iter().copied().collect()),
            (Scope::Reach(scope), Some(ids)) => Some(ids.into_iter().filter(|id| scope.contains(id)).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reach_allows_only_its_units() {
        let scope = Scope::reach(vec![24, 216]);
        assert!(scope.allows(216));
        assert!(!scope.allows(14));
        assert_eq!(scope.restrict(Some(vec![216, 121])), Some(vec![216]));
        assert_eq!(scope.restrict(None), Some(vec![24, 216]));
        assert_eq!(Scope::All.restrict(None), None);
    }
}
