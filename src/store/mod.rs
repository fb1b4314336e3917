//! Persistence. `Store` is the only thing the rest of the hub sees; `SqliteStore` and
//! `PgStore` implement it. SQL lives in this folder and nowhere else.
//!
//! The two backends share their SQL text (both accept `$1` placeholders and
//! `INSERT … ON CONFLICT … DO UPDATE`); the one difference, binding a list for `IN`, is
//! each backend's `any()` fragment and list encoding. The shared method bodies are written
//! once in `shared.rs` and stamped onto both stores by a macro.

mod rows;
#[macro_use]
mod shared;
mod postgres;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use crate::domain::agencies::Agency;
use crate::domain::areas::{Area, AreaLevel, Succession};
use crate::domain::indicators::Indicator;
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::seeds::SeedSet;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row holds a value the domain does not know (an enum name outside the CHECK, say).
    #[error("unexpected value in the database: {0}")]
    Corrupt(String),
}

/// What `seed` wrote: rows in the database after the run, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedCounts {
    pub areas: usize,
    pub agencies: usize,
    pub indicators: usize,
    pub plans: usize,
    pub objectives: usize,
    pub targets: usize,
    pub assignments: usize,
    pub deadlines: usize,
}

/// Filter for `areas`: all given conditions must hold.
#[derive(Debug, Clone, Default)]
pub struct AreaFilter<'a> {
    pub parent_code: Option<&'a str>,
    pub level: Option<AreaLevel>,
    /// Only areas among these codes (a caller's scope); `None` means no restriction.
    pub within: Option<&'a [String]>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres", for logs and `/readyz`.
    fn backend(&self) -> &'static str;
    async fn migrate(&self) -> Result<(), StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
    /// Writes the seeds in one transaction: upserts by natural key, and removes the
    /// objectives, targets, assignments and deadlines of a seeded plan that the seeds no
    /// longer hold, so running it twice leaves the same rows.
    async fn apply_seeds(&self, seeds: &SeedSet) -> Result<SeedCounts, StoreError>;
    async fn has_plans(&self) -> Result<bool, StoreError>;

    /// The area and all its descendants (its subtree), codes only.
    async fn area_subtree(&self, code: &str) -> Result<Vec<String>, StoreError>;
    async fn areas(&self, filter: AreaFilter<'_>) -> Result<Vec<Area>, StoreError>;
    async fn areas_by_codes(&self, codes: &[String]) -> Result<Vec<Area>, StoreError>;
    async fn areas_by_parents(&self, parent_codes: &[String]) -> Result<Vec<Area>, StoreError>;
    async fn successions_of(&self, predecessor_codes: &[String]) -> Result<Vec<Succession>, StoreError>;

    async fn agencies(&self, within: Option<&[String]>) -> Result<Vec<Agency>, StoreError>;
    async fn agencies_by_codes(&self, codes: &[String]) -> Result<Vec<Agency>, StoreError>;

    async fn indicators(&self) -> Result<Vec<Indicator>, StoreError>;
    async fn indicators_by_codes(&self, codes: &[String]) -> Result<Vec<Indicator>, StoreError>;

    /// Plans whose area is among `within` (all plans when `None`).
    async fn plans(&self, within: Option<&[String]>) -> Result<Vec<Plan>, StoreError>;
    async fn plans_by_codes(&self, codes: &[String]) -> Result<Vec<Plan>, StoreError>;
    async fn plans_by_parents(&self, parent_codes: &[String]) -> Result<Vec<Plan>, StoreError>;
    async fn objectives_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<Objective>, StoreError>;
    async fn targets_by_objectives(&self, objective_ids: &[i64]) -> Result<Vec<Target>, StoreError>;
    async fn assignments_by_targets(&self, target_ids: &[i64]) -> Result<Vec<Assignment>, StoreError>;
    async fn deadlines_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<ReportingDeadline>, StoreError>;
}

/// Connection settings shared by both backends.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings { max_connections: 10 }
    }
}

/// Opens the store `database_url` names: `postgres://…` or `sqlite:…` (the file is created
/// when missing).
pub async fn connect(database_url: &str, settings: &PoolSettings) -> Result<Arc<dyn Store>, StoreError> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(database_url, settings).await?))
    } else {
        Ok(Arc::new(SqliteStore::connect(database_url, settings).await?))
    }
}
