//! gender-data-hub: a GraphQL data-integration API for monitoring Vietnam's
//! gender-equality plans.
//!
//! Layers, one folder each. The transports: `http` (router, handlers, middleware), `graphql`
//! (schema, resolvers, DataLoaders) and `cli`, thin over `service`, the use-cases, each
//! written once. Below them `domain` (the vocabulary and rules: no store, HTTP, SQL or
//! GraphQL), `auth` (roles, principals, scopes, tokens) and `store` (one trait per subject,
//! over SQLite and PostgreSQL). `error` is the one vocabulary of error codes the transports
//! answer with. Calls go one way: transports → service → domain and store.

pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod seeds;
pub mod service;
pub mod store;
pub mod telemetry;

pub use http::{app, AppState};
