//! The area subtree a principal is confined to, as a set of codes: what it allows and how
//! it narrows a list. Reading it from the areas table is the use-cases' (`service::access`).

use std::collections::BTreeSet;
use std::sync::Arc;

/// The areas a principal may read: everything for `admin`, otherwise the subtree under the
/// token's area (the area and all its descendants).
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    Subtree(Arc<BTreeSet<String>>),
}

impl Scope {
    /// The scope of these codes: an area and all its descendants.
    pub fn subtree(codes: Vec<String>) -> Scope {
        Scope::Subtree(Arc::new(codes.into_iter().collect()))
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
