//! The one place where errors become GraphQL error codes.

use async_graphql::ErrorExtensions;

use crate::domain::DomainError;

/// What a client sees of an unexpected failure; the HTTP layer adds the request id.
pub const INTERNAL_MESSAGE: &str = "internal error";
/// What a client sees when the database is down or overloaded.
pub const UNAVAILABLE_MESSAGE: &str = "the database is unavailable or busy; try again shortly";

impl ErrorExtensions for DomainError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            DomainError::NotFound { .. } => {
                async_graphql::Error::new(self.to_string()).extend_with(|_, e| e.set("code", "NOT_FOUND"))
            }
            DomainError::Forbidden(_) => {
                async_graphql::Error::new(self.to_string()).extend_with(|_, e| e.set("code", "FORBIDDEN"))
            }
            DomainError::BadInput { argument, .. } => {
                let argument = argument.clone();
                async_graphql::Error::new(self.to_string()).extend_with(move |_, e| {
                    e.set("code", "BAD_USER_INPUT");
                    e.set("argument", argument.as_str());
                })
            }
            DomainError::NotSupported(_) => {
                async_graphql::Error::new(self.to_string()).extend_with(|_, e| e.set("code", "NOT_SUPPORTED"))
            }
            DomainError::Unavailable(inner) => {
                tracing::warn!(error = %inner, "storage unavailable");
                async_graphql::Error::new(UNAVAILABLE_MESSAGE).extend_with(|_, e| e.set("code", "UNAVAILABLE"))
            }
            DomainError::Storage(inner) => {
                // The detail (SQL, paths) goes to the log, under the request's span, which
                // carries the request id that the client receives.
                tracing::error!(error = %inner, "storage failure");
                async_graphql::Error::new(INTERNAL_MESSAGE).extend_with(|_, e| e.set("code", "INTERNAL"))
            }
        }
    }
}

pub type GqlResult<T> = Result<T, async_graphql::Error>;

/// `?` for anything that converts into a `DomainError`.
pub trait OrGql<T> {
    fn gql(self) -> GqlResult<T>;
}

impl<T, E: Into<DomainError>> OrGql<T> for Result<T, E> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(|e| e.into().extend())
    }
}
