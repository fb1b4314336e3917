//! gender-data-hub: a GraphQL data-integration API for monitoring Vietnam's
//! gender-equality plans.
//!
//! Layers, one folder each: `domain` (types and rules: no HTTP, no SQL), `store` (the
//! `Store` trait, SQLite and PostgreSQL), `graphql` (schema, resolvers, DataLoaders),
//! `http` (router, handlers, middleware), `auth` (tokens, principals, scoping). Data flows
//! one way: http → graphql → domain → store.

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
