//! The integration suite: one test binary driving the real router in-process (and the real
//! binary where a test needs a process), each test on a fresh database of its own: SQLite by
//! default, PostgreSQL when `GDH_TEST_POSTGRES_URL` names a server.
//!
//! Three tests live in two binaries of their own (`tests/batching`, `tests/telemetry`): they
//! need the process's tracing subscriber to themselves; see those binaries' docs.

mod helpers;

mod areas;
mod audit;
mod auth;
mod backup;
mod browser;
mod cells;
mod clients;
mod dashboards;
mod demo;
mod disclosure;
mod feeds;
mod fuzz_regressions;
mod graphql_http;
mod http;
mod keys;
mod matrix;
mod observability;
mod observations;
mod outage;
mod plans;
mod process;
mod progress;
mod reporting;
mod resources;
mod schema;
mod sdmx;
mod seed_documents;
mod subscriptions;
mod workbooks;
