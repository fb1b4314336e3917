//! The SQLite backend: how it connects, and its side of every difference `Dialect` names.
//! The subject modules are mounted here to compile them against `SqliteStore`.

// Each backend mounts the same subject files, to compile them against its own `Backend`.
#![allow(clippy::duplicate_mod)]

use std::str::FromStr;
use std::sync::Arc;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::broadcast;

use super::dialect::{Dialect, SqlType, WriteTurn, WriteTurns};
use super::{Changed, PoolSettings, StoreError};
use crate::domain::observations::ValidObservation;
use push::PUSH_ROWS_COLUMNS;

#[path = "areas.rs"]
mod areas;
#[path = "audit.rs"]
mod audit;
#[path = "catalogue.rs"]
mod catalogue;
#[path = "disclosure.rs"]
mod disclosure;
#[path = "lifecycle.rs"]
mod lifecycle;
#[path = "observations.rs"]
mod observations;
#[path = "plans.rs"]
mod plans;
#[path = "push.rs"]
mod push;
#[path = "review.rs"]
mod review;
#[path = "seeding.rs"]
mod seeding;
#[path = "tokens.rs"]
mod tokens;

/// The store the subject modules are compiled for here.
type Backend = SqliteStore;

/// Rows per multi-row INSERT: 11 parameters a row stays under SQLite's 32,766 bind
/// parameters.
const PUSH_CHUNK: usize = 2_000;

/// The embedded default: one file, WAL mode, foreign keys enforced.
pub struct SqliteStore {
    pool: SqlitePool,
    changes: broadcast::Sender<Changed>,
    writes: WriteTurns,
}

impl SqliteStore {
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(settings.statement_timeout);
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(SqliteStore {
            pool,
            changes: broadcast::channel(super::CHANGE_BUFFER).0,
            writes: WriteTurns::new(settings.statement_timeout),
        })
    }
}

impl Dialect for SqliteStore {
    type Database = sqlx::Sqlite;
    /// SQLite has no arrays: a list travels as one JSON text parameter.
    type Texts = String;
    type Ids = String;

    const BACKEND: &'static str = "sqlite";
    const SYSTEM: &'static str = "sqlite";
    const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Foreign keys off while migrations run: SQLite changes a key by rebuilding a table,
    /// and dropping the old one would otherwise cascade to the rows that point at it. The
    /// keys are checked before the connection goes back to the pool.
    async fn run_migrations(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        // Only after migrations that ran: the check reads every row of every table.
        const APPLIED: &str = "SELECT COUNT(*) FROM _sqlx_migrations";
        let before: i64 = sqlx::query_scalar(APPLIED).fetch_one(&mut *conn).await.unwrap_or(0);
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
        let ran = Self::MIGRATOR.run_direct(&mut *conn).await;
        let after: i64 = sqlx::query_scalar(APPLIED).fetch_one(&mut *conn).await.unwrap_or(0);
        let broken: Vec<(String, i64, String)> = if after == before {
            Vec::new()
        } else {
            sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                .fetch_all(&mut *conn)
                .await?
        };
        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
        ran?;
        match broken.first() {
            Some((table, row, parent)) => Err(StoreError::Corrupt(format!(
                "after migrating, {table} row {row} points at a missing {parent} row ({} such rows)",
                broken.len()
            ))),
            None => Ok(()),
        }
    }

    /// `VACUUM INTO` reads one snapshot (WAL keeps writers going meanwhile) and writes a
    /// compact copy; it refuses a file that exists.
    async fn backup_into(&self, file: &std::path::Path) -> Result<(), StoreError> {
        let path = file.to_str().ok_or_else(|| StoreError::Unsupported(format!("{} is not UTF-8", file.display())))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    fn json_rows(n: usize, columns: &[(&str, SqlType)]) -> String {
        let columns: Vec<String> =
            columns.iter().map(|(name, _)| format!("json_extract(value, '$.{name}') AS {name}")).collect();
        format!("(SELECT {} FROM json_each(${n})) AS j", columns.join(", "))
    }

    const DATA_MODIFYING_WITH: bool = false;
    const LATERAL: bool = false;
    const ANY: (&'static str, &'static str) = ("IN (SELECT value FROM json_each(", "))");

    fn texts(codes: &[String]) -> String {
        serde_json::Value::from(codes.to_vec()).to_string()
    }

    fn ids(ids: &[i64]) -> String {
        serde_json::Value::from(ids.to_vec()).to_string()
    }

    /// SQLite's busy timeout bounds waiting for the file lock, not a running statement.
    async fn without_statement_timeout(_tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<(), StoreError> {
        Ok(())
    }

    /// Takes the file's write lock at the start: a transaction that read first and then
    /// tried to write would fail at once (SQLITE_BUSY) when another writer was busy,
    /// instead of waiting its turn under the busy timeout.
    async fn begin_write(&self) -> Result<(WriteTurn, sqlx::Transaction<'static, sqlx::Sqlite>), StoreError> {
        let turn = self.writes.take().await?;
        Ok((turn, self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    /// Multi-row INSERTs, as many rows each as the bind-parameter limit allows.
    async fn stage(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, rows: &[ValidObservation]) -> Result<(), StoreError> {
        for chunk in rows.chunks(PUSH_CHUNK) {
            let mut insert =
                sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT INTO push_rows ({PUSH_ROWS_COLUMNS}) "));
            insert.push_values(chunk, |mut b, o| {
                b.push_bind(i64::try_from(o.row).unwrap_or(i64::MAX))
                    .push_bind(&o.key.indicator_code)
                    .push_bind(o.key.area_id)
                    .push_bind(&o.key.period)
                    .push_bind(o.key.sex.as_str())
                    .push_bind(&o.key.age_group)
                    .push_bind(&o.key.ethnicity)
                    .push_bind(o.value)
                    .push_bind(o.numerator)
                    .push_bind(o.denominator)
                    .push_bind(&o.comment);
            });
            insert.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// SQLite's planner probes the unique key's index for these lookups whatever it knows
    /// of the table's size: nothing to do.
    async fn after_bulk_insert(
        _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        _table: &'static str,
        _created: i64,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Only this process writes to the file: it tells its own subscribers, once committed.
    async fn announce(_tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, _ids: &[i64]) -> Result<(), StoreError> {
        Ok(())
    }

    fn announced(&self, ids: Vec<i64>) {
        if !ids.is_empty() {
            // No subscriber is not an error.
            let _ = self.changes.send(Arc::new(ids));
        }
    }

    async fn announce_revocation(_tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<(), StoreError> {
        Ok(())
    }

    /// An empty change: a token was revoked, and this process's subscribers check theirs.
    fn revocation_announced(&self) {
        let _ = self.changes.send(Arc::new(Vec::new()));
    }

    fn subscribe(&self) -> broadcast::Receiver<Changed> {
        self.changes.subscribe()
    }
}
