//! The domain's one error type: what can go wrong, in the users' words. Transports turn each
//! variant into one error code, once (`crate::error`).

use std::sync::Arc;

use thiserror::Error;

/// A failure of the storage below, kept whole for the log; the domain does not look inside.
pub type Failure = Arc<dyn std::error::Error + Send + Sync>;

/// A name that is not one of an enum's values (in a seed file or a database row).
#[derive(Debug, Clone, Error)]
#[error("`{name}` is not a known {kind}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
}

/// What can go wrong in the domain, in the users' words.
#[derive(Debug, Error)]
pub enum DomainError {
    #[error("no {what} with code `{code}`")]
    NotFound { what: &'static str, code: String },

    /// Something asked for by a name or path that names nothing here; the message says what
    /// there is.
    #[error("{0}")]
    Absent(String),

    /// An answer larger than the hub gives at once; the message says how to narrow it.
    #[error("{0}")]
    TooLarge(String),

    /// A code that names no unit; the message lists the units of that name, when it is one.
    #[error("{0}")]
    UnknownArea(String),

    #[error("{0}")]
    Forbidden(String),

    #[error("{argument}: {message}")]
    BadInput { argument: String, message: String },

    /// A request this server is not set up for (a verify-only replica asked to sign), which
    /// another server of the deployment can answer.
    #[error("{0}")]
    NotSupported(String),

    /// The database could not be reached or answered in an unexpected way. The message is
    /// logged, never shown to a client.
    #[error("storage failure: {0}")]
    Storage(Failure),

    /// The database is down, out of connections or too slow right now: worth a retry.
    #[error("storage unavailable: {0}")]
    Unavailable(Failure),
}

impl DomainError {
    pub fn not_found(what: &'static str, code: impl Into<String>) -> Self {
        DomainError::NotFound { what, code: code.into() }
    }

    pub fn bad_input(argument: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::BadInput { argument: argument.into(), message: message.into() }
    }

    /// Something the hub itself got wrong (a receipt it cannot read back, a CSV it cannot
    /// write): logged, answered as an internal error.
    pub fn internal(message: impl Into<String>) -> Self {
        DomainError::Storage(Arc::new(InternalError(message.into())))
    }
}

#[derive(Debug, Error)]
#[error("{0}")]
struct InternalError(String);
