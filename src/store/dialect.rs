//! What differs between the backends, all of it: the subject modules run the same SQL on
//! both and reach for these items wherever SQLite and PostgreSQL part ways. They use
//! nothing else of a backend, so a new difference has to be named here first.

use sqlx::migrate::Migrator;
use sqlx::{Pool, Transaction};
use tokio::sync::broadcast;

use super::{Changed, StoreError};
use crate::domain::observations::ValidObservation;

/// Crate-private, so native `async fn` is enough: it is only ever called on a concrete
/// store, where the compiler sees that each future is `Send`.
pub(crate) trait Dialect {
    /// The sqlx database the backend talks to.
    type Database: sqlx::Database;
    /// How a list of codes travels as the single parameter `any(n)` reads.
    type Texts;
    /// How a list of ids travels as the single parameter `any(n)` reads.
    type Ids;

    /// "sqlite" or "postgres", for logs and `/readyz`.
    const BACKEND: &'static str;
    /// The database's name in OpenTelemetry's conventions, for the store's spans.
    const SYSTEM: &'static str;
    /// The backend's embedded migrations: the schemas differ in their types.
    const MIGRATOR: Migrator;

    fn pool(&self) -> &Pool<Self::Database>;

    /// Runs `MIGRATOR`'s pending migrations.
    async fn run_migrations(&self) -> Result<(), StoreError>;
    /// A consistent copy of the live database in `file` (see `Store::backup`).
    async fn backup_into(&self, file: &std::path::Path) -> Result<(), StoreError>;

    /// A row source (`FROM` item, aliased `j`) reading list parameter `$n`, a JSON array of
    /// objects, as columns of these names and SQL types (`TEXT`, `BIGINT`, `DOUBLE`,
    /// `DATE`, `BOOLEAN`): how the seed loads the map's thousands of rows in one statement.
    fn json_rows(n: usize, columns: &[(&str, SqlType)]) -> String;

    /// Whether a `WITH` may hold `INSERT … RETURNING` (PostgreSQL), so a push writes its
    /// staged rows and their revisions in one statement; else the upsert returns the ids it
    /// wrote and a second statement writes their revisions.
    const DATA_MODIFYING_WITH: bool;

    /// Whether a `FROM` item may read columns of an earlier one (`CROSS JOIN LATERAL`,
    /// PostgreSQL), and a list parameter may be read as rows with `UNNEST`.
    const LATERAL: bool;

    /// The SQL around a list parameter that tests membership in it (after a column), for
    /// statements whose parameters are pushed in order.
    const ANY: (&'static str, &'static str);

    /// The SQL fragment testing membership in list parameter `$n` (after a column).
    fn any(n: usize) -> String {
        format!("{}${n}{}", Self::ANY.0, Self::ANY.1)
    }
    fn texts(codes: &[String]) -> Self::Texts;
    fn ids(ids: &[i64]) -> Self::Ids;

    /// Takes this replica's write turn, then opens a transaction holding the database's
    /// write lock; the turn is held for as long as the transaction runs.
    async fn begin_write(&self) -> Result<(WriteTurn, Transaction<'static, Self::Database>), StoreError>;
    /// Lifts the requests' statement timeout for the rest of a maintenance transaction
    /// (seeding the map, finding and reading the years whose disclosure is to be decided), which may run longer
    /// than any request should.
    async fn without_statement_timeout(tx: &mut Transaction<'_, Self::Database>) -> Result<(), StoreError>;
    /// Loads a push into the `push_rows` staging table.
    async fn stage(tx: &mut Transaction<'_, Self::Database>, rows: &[ValidObservation]) -> Result<(), StoreError>;
    /// What to do once a write inserted `created` rows into `table` (observations, releases).
    async fn after_bulk_insert(
        tx: &mut Transaction<'_, Self::Database>,
        table: &'static str,
        created: i64,
    ) -> Result<(), StoreError>;

    /// Inside the transaction that changed these observations, before it commits.
    async fn announce(tx: &mut Transaction<'_, Self::Database>, ids: &[i64]) -> Result<(), StoreError>;
    /// Once that transaction committed.
    fn announced(&self, ids: Vec<i64>);
    /// Inside the transaction that revoked a token, before it commits.
    async fn announce_revocation(tx: &mut Transaction<'_, Self::Database>) -> Result<(), StoreError>;
    /// Once that transaction committed.
    fn revocation_announced(&self);
    /// Hears of every change committed from now on.
    fn subscribe(&self) -> broadcast::Receiver<Changed>;
}

/// A column's type in a `json_rows` source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    Text,
    BigInt,
    Double,
    Date,
    Boolean,
}

/// Writers of this replica queue here before they take a pooled connection: a writer
/// waiting for the database's write lock (SQLite's file lock, PostgreSQL's advisory lock)
/// would otherwise hold a connection that readers need, and under a steady stream of
/// pushes reads would wait on the pool. The database lock still orders replicas.
pub(crate) struct WriteTurns {
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    patience: std::time::Duration,
}

/// Held for as long as a write transaction runs.
pub(crate) type WriteTurn = tokio::sync::OwnedMutexGuard<()>;

impl WriteTurns {
    pub(crate) fn new(patience: std::time::Duration) -> WriteTurns {
        WriteTurns { turn: std::sync::Arc::default(), patience }
    }

    pub(crate) async fn take(&self) -> Result<WriteTurn, StoreError> {
        tokio::time::timeout(self.patience, self.turn.clone().lock_owned())
            .await
            .map_err(|_| StoreError::WriteTurnTimedOut)
    }
}
