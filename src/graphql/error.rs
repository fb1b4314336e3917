//! Domain errors as GraphQL errors: the code and the safe message come from
//! [`crate::error::ClientError`], the one reading of a `DomainError` that every transport
//! shares; what is GraphQL's own is the `argument` extension of a bad input.

use async_graphql::ErrorExtensions;

use crate::domain::DomainError;
use crate::error::{ClientError, ErrorCode};

impl ErrorExtensions for DomainError {
    fn extend(&self) -> async_graphql::Error {
        let ClientError { code, message, argument } = ClientError::of(self);
        async_graphql::Error::new(message).extend_with(move |_, e| {
            e.set("code", code.as_str());
            if let Some(argument) = argument {
                e.set("argument", argument);
            }
        })
    }
}

/// A resolver's error with a code, for what is no `DomainError` (a subscription whose
/// token no longer holds).
pub fn coded(message: impl Into<String>, code: ErrorCode) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(move |_, e| e.set("code", code.as_str()))
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
