//! Persistence. `Store` is the only thing the rest of the hub sees; `SqliteStore` and
//! `PgStore` implement it. SQL lives in this folder and nowhere else.
//!
//! # Layout
//!
//! - `mod.rs` (this file): the public types, one trait per subject (`AreaStore`,
//!   `CatalogueStore`, `PlanStore`, `SeedStore`, `ObservationStore`, `PushStore`,
//!   `ReviewStore`, `DisclosureStore`, `AuditStore`, `TokenStore`), `Store` (all of them, plus the store's
//!   own upkeep) and `connect`.
//! - `dialect.rs`: the `Dialect` trait, the complete list of what differs between the
//!   backends (list parameters, the write lock, staging a push, telling subscribers of
//!   changes, migrations, names).
//! - `sqlite.rs`, `postgres.rs`: each backend's connection and its `Dialect` impl.
//! - `areas.rs`, `catalogue.rs`, `plans.rs`, `seeding.rs`, `observations.rs`, `push.rs`,
//!   `review.rs`, `disclosure.rs`, `audit.rs`, `tokens.rs`, `lifecycle.rs`: the SQL, one file per subject,
//!   each implementing its subject trait.
//! - `rows.rs`: rows as the database returns them, shared by both backends.
//!
//! # Why subject files are mounted twice
//!
//! Both backends accept `$1` placeholders and `INSERT … ON CONFLICT … DO UPDATE`, so the
//! SQL text is the same for both, and is written once. Each subject file is plain Rust
//! written against `super::Backend`, and `sqlite.rs` and `postgres.rs` each mount all of
//! them with `#[path = "…"] mod …;` over their own `type Backend = …;`. So every subject
//! file is compiled twice, once against each concrete store: the compiler checks it
//! against both backends' real types, rustfmt and the IDE read it like any other file,
//! and a change to, say, the push touches `push.rs` alone.
//!
//! Other ways were weighed:
//! - Code generic over `sqlx::Database` needs a dozen higher-ranked bounds (`for<'c> &'c
//!   mut DB::Connection: Executor<'c>`, `for<'q> String: Encode<'q, DB>`, …) repeated on
//!   every impl, since Rust does not imply such where-clauses; against a concrete backend
//!   none are needed.
//! - `sqlx::Any` erases the backend at run time: no arrays for PostgreSQL's `= ANY($1)`,
//!   a narrower set of column types, and the differences become `match`es on a name.
//! - A macro stamping the bodies onto both stores (what this replaced) hides them from
//!   rustfmt and the IDE, and left the hooks it relied on listed only in a comment.
//!
//! A subject file uses of its backend only `Backend` and the `Dialect` trait (not the
//! store's fields, which it could reach as a child module), so a new difference between
//! SQLite and PostgreSQL is named there first; everything else is shared. Two rules follow
//! from the double mounting: the traits live here, not in a subject file (mounted twice,
//! a trait would be two traits), and a subject file holds nothing only one backend uses
//! (the other's copy would be dead code): that goes in the backend's own file.

mod dialect;
mod postgres;
mod rows;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use crate::domain::agencies::Agency;
use crate::domain::areas::{Area, AreaId, AreaLevel, Succession};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::indicators::Indicator;
use crate::domain::observations::{
    Decision, Observation, ObservationQuery, ObservationRevision, Sex, ValidObservation,
};
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::domain::reporting::{Arrival, Duty};
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
    /// Other writes of this replica kept the write turn longer than a statement may run.
    #[error("waited too long for the turn to write")]
    WriteTurnTimedOut,
    /// What this backend does not do itself; the message says what does.
    #[error("{0}")]
    Unsupported(String),
}

impl StoreError {
    /// A failure that says nothing about the request and may pass: the database cannot be
    /// reached, the pool has no free connection in time, a statement ran past its timeout,
    /// or (SQLite) the file stayed locked past the busy timeout.
    pub fn is_unavailable(&self) -> bool {
        if matches!(self, StoreError::WriteTurnTimedOut) {
            return true;
        }
        let StoreError::Database(e) = self else { return false };
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                // 57014 query_canceled (statement_timeout), 57P0x shutdown, 08xxx connection,
                // 53xxx out of resources; SQLite 5 SQLITE_BUSY, 6 SQLITE_LOCKED.
                code == "57014"
                    || code.starts_with("57P")
                    || code.starts_with("08")
                    || code.starts_with("53")
                    || code == "5"
                    || code == "6"
            }
            _ => false,
        }
    }
}

/// What `seed` wrote: rows in the database after the run, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedCounts {
    pub areas: usize,
    pub successions: usize,
    pub agencies: usize,
    pub indicators: usize,
    pub plans: usize,
    pub objectives: usize,
    pub targets: usize,
    pub assignments: usize,
    pub deadlines: usize,
}

/// What a push did, by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Rows to write, and who writes them.
pub struct ObservationWrite<'a> {
    pub rows: &'a [ValidObservation],
    pub reported_by: &'a str,
    pub source_agency: Option<&'a str>,
    pub reported_at: DateTime<Utc>,
    /// Work out the counts, then roll everything back.
    pub dry_run: bool,
    pub receipt: Option<Receipt<'a>>,
    /// The audit entry to write with the push, given its counts.
    pub audit: &'a (dyn Fn(&WriteCounts) -> AuditEntry + Send + Sync),
}

/// An idempotency key, and how to render the summary kept under it.
pub struct Receipt<'a> {
    pub key: &'a str,
    pub summary: &'a (dyn Fn(&WriteCounts) -> String + Send + Sync),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Written(WriteCounts),
    /// The key was used before by the same caller: nothing was written; its first summary.
    AlreadySeen(String),
}

/// Filter for `areas`: all given conditions must hold.
#[derive(Debug, Clone, Default)]
pub struct AreaFilter<'a> {
    /// Only children of these units.
    pub parent_ids: Option<&'a [AreaId]>,
    pub level: Option<AreaLevel>,
    /// Only units valid that day.
    pub valid_on: Option<NaiveDate>,
    /// Only units whose folded name (`domain::areas::search_key`) holds this folded text.
    pub search: Option<&'a str>,
    /// Only these units (a caller's reach); `None` means no restriction.
    pub within: Option<&'a [AreaId]>,
    pub limit: Option<usize>,
}

/// Ids of observations a committed push or review created, changed or reviewed; none when
/// a token was revoked (subscribers then check that theirs still holds).
pub type Changed = Arc<Vec<i64>>;

/// How many change messages a slow subscriber may fall behind before it misses some.
const CHANGE_BUFFER: usize = 1_024;

/// Every subject, and the store's own upkeep: what callers hold, as `Arc<dyn Store>`. The
/// subject traits' methods are callable on it without importing them.
#[async_trait]
pub trait Store:
    SeedStore
    + AreaStore
    + CatalogueStore
    + PlanStore
    + ObservationStore
    + PushStore
    + ReviewStore
    + DisclosureStore
    + AuditStore
    + TokenStore
    + Send
    + Sync
    + 'static
{
    /// "sqlite" or "postgres", for logs and `/readyz`.
    fn backend(&self) -> &'static str;
    /// Hears of every change committed from now on, through this process or, with
    /// PostgreSQL, any replica sharing the database.
    fn changes(&self) -> tokio::sync::broadcast::Receiver<Changed>;
    /// How many connections the pool holds now, and may hold.
    fn pool_use(&self) -> PoolUse;
    async fn migrate(&self) -> Result<(), StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
    /// Writes a consistent copy of the live database to `file` (which must not exist):
    /// every transaction committed before the copy began, none after, while writes go on.
    async fn backup(&self, file: &std::path::Path) -> Result<(), StoreError>;
}

/// Loading the plan documents' seeds (`seeding.rs`).
#[async_trait]
pub trait SeedStore {
    /// Writes the seeds in one transaction: upserts by natural key, and removes the
    /// objectives, targets, assignments and deadlines of a seeded plan that the seeds no
    /// longer hold, so running it twice leaves the same rows.
    async fn apply_seeds(&self, seeds: &SeedSet) -> Result<SeedCounts, StoreError>;
    async fn has_plans(&self) -> Result<bool, StoreError>;
    /// How many units the database holds.
    async fn area_count(&self) -> Result<usize, StoreError>;
    /// The units with days, and the periods of their values in or beside the years of
    /// those days, with how many values each: where a value may lie outside its unit's
    /// validity (a database from before the map). A superset; the caller checks the days.
    async fn periods_near_unit_bounds(&self) -> Result<Vec<(Area, String, i64)>, StoreError>;
}

/// Administrative areas and their boundary changes (`areas.rs`).
#[async_trait]
pub trait AreaStore {
    /// Every unit that ever held one of these codes.
    async fn areas_by_codes(&self, codes: &[String]) -> Result<Vec<Area>, StoreError>;
    async fn areas_by_ids(&self, ids: &[AreaId]) -> Result<Vec<Area>, StoreError>;
    async fn areas(&self, filter: AreaFilter<'_>) -> Result<Vec<Area>, StoreError>;
    async fn areas_by_parents(&self, parent_ids: &[AreaId]) -> Result<Vec<Area>, StoreError>;
    /// The named units that exist, and all their ancestors.
    async fn areas_with_ancestors(&self, ids: &[AreaId]) -> Result<Vec<Area>, StoreError>;
    /// What the units reach: each, the units under it, and the units whose territory it
    /// took over whole with everything under those.
    async fn area_reach(&self, ids: &[AreaId]) -> Result<Vec<AreaId>, StoreError>;
    /// Every boundary change the units took part in, as predecessor or successor.
    async fn successions_of(&self, ids: &[AreaId]) -> Result<Vec<Succession>, StoreError>;
}

/// Agencies and indicators (`catalogue.rs`).
#[async_trait]
pub trait CatalogueStore {
    /// Agencies whose unit is among `within` (all agencies when `None`).
    async fn agencies(&self, within: Option<&[AreaId]>) -> Result<Vec<Agency>, StoreError>;
    async fn agencies_by_codes(&self, codes: &[String]) -> Result<Vec<Agency>, StoreError>;

    async fn indicators(&self) -> Result<Vec<Indicator>, StoreError>;
    async fn indicators_by_codes(&self, codes: &[String]) -> Result<Vec<Indicator>, StoreError>;
}

/// Plans and what hangs off them: objectives, targets, assignments, deadlines, and the
/// reporting duties they give agencies (`plans.rs`).
#[async_trait]
pub trait PlanStore {
    /// Plans whose area is among `within` (all plans when `None`).
    async fn plans(&self, within: Option<&[AreaId]>) -> Result<Vec<Plan>, StoreError>;
    async fn plans_by_codes(&self, codes: &[String]) -> Result<Vec<Plan>, StoreError>;
    async fn plans_by_parents(&self, parent_codes: &[String]) -> Result<Vec<Plan>, StoreError>;
    async fn objectives_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<Objective>, StoreError>;
    async fn targets_by_objectives(&self, objective_ids: &[i64]) -> Result<Vec<Target>, StoreError>;
    async fn assignments_by_targets(&self, target_ids: &[i64]) -> Result<Vec<Assignment>, StoreError>;
    async fn deadlines_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<ReportingDeadline>, StoreError>;

    /// (indicator, plan unit) for every target with an indicator that a plan assigns to the agency.
    async fn agency_assignments(&self, agency_code: &str) -> Result<Vec<(String, AreaId)>, StoreError>;
    /// Who must report which indicator, for each plan: from assignments to measured targets.
    async fn duties_by_plans(&self, plan_ids: &[i64]) -> Result<Vec<Duty>, StoreError>;
}

/// Reading observations, their revisions, and what progress and reporting make of them
/// (`observations.rs`).
#[async_trait]
pub trait ObservationStore {
    /// One page of the observations a query selects (ordered by id), and how many it
    /// selects in all when the query is `counted`.
    async fn observations(&self, query: &ObservationQuery) -> Result<(Vec<Observation>, Option<usize>), StoreError>;
    /// A page per indicator of what a query selects (its `indicator_code` aside, `limit`
    /// rows each), and, when `counted`, how many each selects in all: one request's many
    /// `Indicator.observations` in one statement, two with counts.
    async fn observation_pages(
        &self,
        indicator_codes: &[String],
        query: &ObservationQuery,
    ) -> Result<(Vec<Observation>, Vec<(String, i64)>), StoreError>;
    async fn observations_by_ids(&self, ids: &[i64], published_only: bool) -> Result<Vec<Observation>, StoreError>;
    async fn revisions_by_observations(&self, ids: &[i64]) -> Result<Vec<ObservationRevision>, StoreError>;

    /// Totals (not broken down by age group or ethnicity) of the indicators in the areas, for
    /// the sexes named and the periods named (`None`: every period), rejected values left out;
    /// for partners, the last approved revision only.
    async fn totals(
        &self,
        indicator_codes: &[String],
        area_ids: &[AreaId],
        sexes: &[Sex],
        periods: Option<&[String]>,
        published_only: bool,
    ) -> Result<Vec<Observation>, StoreError>;
    /// Every value (rejected ones left out; for partners, the last approved revision) of the
    /// indicators, areas and periods named: a superset of the tables wanted, when more than
    /// one is asked for at once.
    async fn tables(
        &self,
        indicator_codes: &[String],
        area_ids: &[AreaId],
        periods: &[String],
        published_only: bool,
    ) -> Result<Vec<Observation>, StoreError>;
    /// When the first value (not rejected) of each indicator, area and period named arrived;
    /// a superset when several are asked for at once.
    async fn arrivals(
        &self,
        indicator_codes: &[String],
        area_ids: &[AreaId],
        periods: &[String],
    ) -> Result<Vec<Arrival>, StoreError>;
    /// The (age group, ethnicity) pairs approved values of the indicators are broken down
    /// by (SDMX's codelists of them: what was only pushed, or rejected, is not listed).
    async fn breakdown_codes(&self, indicator_codes: &[String]) -> Result<Vec<(String, String)>, StoreError>;
}

/// Writing pushed observations (`push.rs`).
#[async_trait]
pub trait PushStore {
    /// The summary kept under a caller's idempotency key, if the key was used.
    async fn push_receipt(&self, subject: &str, key: &str) -> Result<Option<String>, StoreError>;
    /// Upserts observations by natural key in one transaction: a new key is created at
    /// revision 1; a changed value becomes a new revision, back to SUBMITTED; the same
    /// value again is unchanged (a row without numerator and denominator, as SDMX-CSV
    /// sends it, keeps the stored ones rather than erasing them), unless it brings a new
    /// comment or the stored value was rejected: then it is an update, to be reviewed again.
    /// Every created or updated row adds a revision to history.
    async fn write_observations(&self, write: ObservationWrite<'_>) -> Result<WriteOutcome, StoreError>;
}

/// Approving and rejecting observations (`review.rs`).
#[async_trait]
pub trait ReviewStore {
    /// Approves or rejects the current revision of each observation, recording who, when and
    /// why, and the audit entry, in one transaction.
    async fn review_observations(
        &self,
        ids: &[i64],
        decision: Decision,
        reviewer: &str,
        reason: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError>;
}

/// What decides which values of one sensitive indicator's year partners are shown: given
/// its approved values, their units and the units under them, and the ids already shown,
/// the ids to show (`domain::disclosure`).
pub type Decide<'a> = &'a (dyn Fn(&[Observation], &[Area], &std::collections::HashSet<i64>) -> std::collections::HashSet<i64>
         + Send
         + Sync);

/// What deciding one year did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settled {
    /// Approved values of the year.
    pub values: usize,
    /// Of those, shown to partners (before or now).
    pub released: usize,
    /// Shown from now on.
    pub newly_released: usize,
}

/// Disclosure decisions for partners (`disclosure.rs`).
#[async_trait]
pub trait DisclosureStore {
    /// Of these values at these revisions, those whose figures partners may be shown.
    async fn released(&self, cells: &[(i64, i32)]) -> Result<std::collections::HashSet<i64>, StoreError>;
    /// Decides one sensitive indicator's year (`periods`: every period of it) in one write
    /// transaction: reads its values at their last approved revision, their units and the
    /// units under them, and the ids already shown; records the new ids `decide` returns.
    async fn settle_disclosure(
        &self,
        indicator_code: &str,
        year: &str,
        periods: &[String],
        at: chrono::DateTime<chrono::Utc>,
        decide: Decide<'_>,
    ) -> Result<Settled, StoreError>;
    /// The (sensitive indicator, year) pairs with a value approved since they were last
    /// decided, or never decided.
    async fn unsettled_disclosures(&self) -> Result<Vec<(String, String)>, StoreError>;
}

/// The audit log (`audit.rs`).
#[async_trait]
pub trait AuditStore {
    /// Adds an entry to the audit log on its own (token issue).
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// Entries newest first, before an id, of one action or all.
    async fn audit_log(
        &self,
        action: Option<AuditAction>,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Revoked tokens (`tokens.rs`).
#[async_trait]
pub trait TokenStore {
    /// Records a token as revoked, with its audit entry; false when it already was.
    async fn revoke_token(&self, jti: &str, audit: &AuditEntry) -> Result<bool, StoreError>;
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError>;
}

/// The connection pool's state, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// Connection settings shared by both backends.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// Longest a statement may run (PostgreSQL `statement_timeout`) or wait for a locked
    /// file (SQLite busy timeout); below the request timeout, so a slow statement fails as
    /// UNAVAILABLE rather than holding a connection after its request was given up.
    pub statement_timeout: std::time::Duration,
    /// Longest a request waits for a free connection.
    pub acquire_timeout: std::time::Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 10,
            statement_timeout: std::time::Duration::from_secs(25),
            acquire_timeout: std::time::Duration::from_secs(5),
        }
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
