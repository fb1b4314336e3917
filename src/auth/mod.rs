//! Who is calling and what they may read: bearer JWTs (`tokens`), the principal they carry,
//! and the area subtree a principal is confined to (`scope`).

mod scope;
mod tokens;

pub use scope::Scope;
pub use tokens::{AuthError, IssueRequest, IssuedToken, KeyError, Keys, TokenSettings};

use crate::domain::named_enum;
use crate::store::{Store, StoreError};

/// The five kinds of caller of DESIGN.md. In tokens they are written in lower case
/// (`statistics_office`); in GraphQL in upper case (`STATISTICS_OFFICE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Role {
    /// everything; issues and revokes tokens
    Admin,
    /// Chi cục Thống kê: pushes any indicator in its area subtree, approves values
    StatisticsOffice,
    /// a sector agency: pushes values for the targets it is assigned to
    AgencyReporter,
    /// reads everything in its area subtree
    Dashboard,
    /// reads approved, disclosure-safe values only
    Partner,
}
named_enum!(Role {
    Admin = "admin",
    StatisticsOffice = "statistics_office",
    AgencyReporter = "agency_reporter",
    Dashboard = "dashboard",
    Partner = "partner",
});

impl Role {
    /// May push values (agency reporters only for their assigned indicators).
    pub fn may_push(self) -> bool {
        matches!(self, Role::Admin | Role::StatisticsOffice | Role::AgencyReporter)
    }

    /// May approve and reject values.
    pub fn may_review(self) -> bool {
        matches!(self, Role::Admin | Role::StatisticsOffice)
    }

    /// The longest a token of this role may live: an admin token can do anything, so it is
    /// kept short; the others are renewed once a reporting year.
    pub fn max_token_lifetime(self) -> chrono::Duration {
        match self {
            Role::Admin => chrono::Duration::days(31),
            _ => chrono::Duration::days(366),
        }
    }

    /// Sees only approved values, with sensitive small counts suppressed.
    pub fn reads_published_only(self) -> bool {
        self == Role::Partner
    }
}

impl Principal {
    /// The system administrator of DESIGN.md, who reaches every area. An admin token that
    /// names an area reads, pushes and reviews only inside it, so it may not do what only
    /// the administrator does (issue and revoke tokens, read the audit log): it could
    /// otherwise issue itself a token for every area.
    pub fn is_administrator(&self) -> bool {
        self.role == Role::Admin && self.area_code.is_none()
    }

    /// This caller pushing values: agency reporters only their agency's assigned
    /// indicators; `in_reach` says which areas it may write for.
    pub fn as_pusher<'a>(
        &'a self,
        in_reach: &'a (dyn Fn(&str) -> bool + Send + Sync),
    ) -> crate::domain::push::Pusher<'a> {
        crate::domain::push::Pusher {
            subject: &self.subject,
            agency_code: self.agency_code.as_deref(),
            only_assigned: self.role == Role::AgencyReporter,
            in_reach,
            request_id: None,
        }
    }
}

/// Why a request could not be authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    #[error(transparent)]
    Token(#[from] AuthError),
    /// Revocation could not be checked: the request must fail, not pass unchecked.
    #[error("cannot check the token against revocations")]
    Store(#[from] StoreError),
}

/// A bearer token's caller: valid signature and claims, and not revoked.
pub async fn authenticate(keys: &Keys, store: &dyn Store, token: &str) -> Result<Principal, AuthenticationError> {
    let principal = keys.verify(token)?;
    if store.is_revoked(&principal.jti).await? {
        return Err(AuthError::Revoked.into());
    }
    Ok(principal)
}

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    pub agency_code: Option<String>,
    /// The root of the caller's area subtree; `None` only for `admin`.
    pub area_code: Option<String>,
    pub jti: String,
    /// The token's `exp`: a subscription ends then.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
