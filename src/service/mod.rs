//! The use-cases (nghiệp vụ) of the hub, each written once: push, review, reads with scope
//! and disclosure, export, token issue and revocation, the audit log, seeding and demo
//! data. GraphQL, the CSV endpoints and the command line call these and only translate:
//! their inputs in, the answer or a `DomainError` out. The rules themselves are the
//! domain's; the rows are the store's; what a use-case adds is who may do it, what it
//! reads first, and what it records.

pub mod access;
pub mod audit;
pub mod cells;
pub mod dashboard;
pub mod demo;
pub mod disclosure;
pub mod export;
pub mod push;
pub mod reads;
pub mod review;
pub mod sdmx;
pub mod seeding;
pub mod templates;
pub mod tokens;

use std::sync::Arc;

pub use access::Caller;

use crate::domain::DomainError;
use crate::store::StoreError;

/// Who acts: a caller with a token, confined to its role and area, or an operator at the
/// command line of the server, who reaches every area and names themselves.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    Token(&'a Caller),
    CommandLine {
        subject: &'a str,
        /// The agency pushed values come from.
        agency_code: Option<&'a str>,
    },
}

impl Actor<'_> {
    /// Who the audit log and the values' history name.
    pub fn subject(&self) -> &str {
        match self {
            Actor::Token(caller) => &caller.principal.subject,
            Actor::CommandLine { subject, .. } => subject,
        }
    }

    /// The request the action came in, for the audit log.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Actor::Token(caller) => caller.request_id.as_deref(),
            Actor::CommandLine { .. } => None,
        }
    }
}

/// A store failure is the domain's `Unavailable` when retrying may help, else `Storage`.
impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        DomainError::from(Arc::new(e))
    }
}

impl From<Arc<StoreError>> for DomainError {
    fn from(e: Arc<StoreError>) -> Self {
        if e.is_unavailable() {
            DomainError::Unavailable(e)
        } else {
            DomainError::Storage(e)
        }
    }
}
