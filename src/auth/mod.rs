//! Who is calling and what they may do: bearer JWTs (`tokens`: keys, signing, verifying),
//! the principal a token carries and its role's rights, and the area subtree a principal is
//! confined to (`scope`). Nothing here reads the database: checking revocations and
//! resolving a scope are use-cases (`service::tokens`, `service::access`).

mod scope;
mod tokens;

pub use scope::Scope;
pub use tokens::{AuthError, IssueRequest, IssuedToken, KeyError, Keys, TokenSettings};

use crate::domain::named_enum;

/// The five kinds of caller of DESIGN.md. In tokens they are written in lower case
/// (`statistics_office`); in GraphQL in upper case (`STATISTICS_OFFICE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    pub agency_code: Option<String>,
    /// The code of the caller's unit; `None` only for `admin`.
    pub area_code: Option<String>,
    /// The day that code is read on (`domain::areas::unit_named`), which names the unit.
    pub area_on: Option<chrono::NaiveDate>,
    pub jti: String,
    /// The token's `exp`: a subscription ends then.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
