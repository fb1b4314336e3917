//! The PostgreSQL backend: how it connects, its side of every difference `Dialect` names,
//! and the listener that relays other replicas' changes. The subject modules are mounted
//! here to compile them against `PgStore`.

// Each backend mounts the same subject files, to compile them against its own `Backend`.
#![allow(clippy::duplicate_mod)]

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
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
type Backend = PgStore;

/// The production backend. Several stateless replicas may share one database.
pub struct PgStore {
    pool: PgPool,
    changes: broadcast::Sender<Changed>,
    listening: std::sync::Once,
    writes: WriteTurns,
}

/// The advisory lock writers take turns on ("GDH write" in ASCII).
const WRITE_LOCK: i64 = 0x4744_4820_7772_6974;
/// The channel replicas tell each other of changed observations on.
const CHANNEL: &str = "gdh_observation_changed";
/// A NOTIFY payload must stay under 8,000 bytes: ids per message, at up to 20 bytes each.
const IDS_PER_NOTICE: usize = 350;
/// From how many new observations a push counts as a bulk load.
const BULK_ROWS: i64 = 1_000;

impl PgStore {
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, StoreError> {
        let timeout = format!("{}ms", settings.statement_timeout.as_millis());
        // Custom plans always: statements are prepared once per connection, and after five
        // runs PostgreSQL may switch to a generic plan that ignores which areas and
        // indicators are asked for; for the partners' published values that plan scanned
        // every revision (p95 0.5 s in the soak). Planning each time costs well under 1 ms.
        // No JIT: the hub's statements are short index seeks whose cost estimates, summed
        // over a page of many indicators, pass the JIT thresholds; compiling them took
        // seconds (7 s for a province's nested dashboard) to save microseconds.
        let options = PgConnectOptions::from_str(url)?.options([
            ("statement_timeout", timeout.as_str()),
            ("plan_cache_mode", "force_custom_plan"),
            ("jit", "off"),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(PgStore {
            pool,
            changes: broadcast::channel(super::CHANGE_BUFFER).0,
            listening: std::sync::Once::new(),
            writes: WriteTurns::new(settings.statement_timeout),
        })
    }
}

impl Dialect for PgStore {
    type Database = sqlx::Postgres;
    type Texts = Vec<String>;
    type Ids = Vec<i64>;

    const BACKEND: &'static str = "postgres";
    const SYSTEM: &'static str = "postgresql";
    const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

    fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Without the requests' statement timeout: a migration that builds an index on a
    /// national table runs for minutes, and cut short it would leave the database behind
    /// the binary.
    async fn run_migrations(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
        let migrated = Self::MIGRATOR.run_direct(&mut *conn).await;
        sqlx::query("RESET statement_timeout").execute(&mut *conn).await?;
        migrated?;
        Ok(())
    }

    /// A server's database is copied by the server's own tools, which take a consistent
    /// snapshot without stopping writers.
    async fn backup_into(&self, _file: &std::path::Path) -> Result<(), StoreError> {
        Err(StoreError::Unsupported(
            "a PostgreSQL database is backed up with pg_dump -Fc (restored with pg_restore): see the README, \"Backups\""
                .to_owned(),
        ))
    }

    fn json_rows(n: usize, columns: &[(&str, SqlType)]) -> String {
        let columns: Vec<String> = columns
            .iter()
            .map(|(name, t)| {
                let t = match t {
                    SqlType::Text => "text",
                    SqlType::BigInt => "bigint",
                    SqlType::Double => "double precision",
                    SqlType::Date => "date",
                    SqlType::Boolean => "boolean",
                };
                format!("{name} {t}")
            })
            .collect();
        format!("json_to_recordset(${n}::json) AS j({})", columns.join(", "))
    }

    const DATA_MODIFYING_WITH: bool = true;
    const LATERAL: bool = true;
    const ANY: (&'static str, &'static str) = ("= ANY(", ")");

    fn texts(codes: &[String]) -> Vec<String> {
        codes.to_vec()
    }

    fn ids(ids: &[i64]) -> Vec<i64> {
        ids.to_vec()
    }

    /// `SET LOCAL`: the lifted timeout ends with the transaction, not with the pooled
    /// connection.
    async fn without_statement_timeout(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<(), StoreError> {
        sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut **tx).await?;
        Ok(())
    }

    /// Writes take turns, as on SQLite: two pushes creating the same natural key at once
    /// would otherwise both find it missing and the second fail on the unique key, and a
    /// retry with the same idempotency key could read the first's receipt before it was
    /// committed. A push is one set-based transaction of a few seconds at most, so taking
    /// turns costs little; readers are never held up.
    async fn begin_write(&self) -> Result<(WriteTurn, sqlx::Transaction<'static, sqlx::Postgres>), StoreError> {
        let turn = self.writes.take().await?;
        let mut tx = self.pool.begin().await?;
        // Cached plans within a write: every row a write adds is checked against the tables
        // its foreign keys name by a statement PostgreSQL prepares once, and with the
        // connection's `force_custom_plan` it would plan it again for every row (a 100,000-
        // row push: 12.4 s instead of 7.3 s in psql, same statement). Custom plans are for
        // the reads whose best plan depends on the area or page asked for; the few reads a
        // write makes (a year's revisions before its releases are recorded, by indicator and
        // periods) plan alike either way. A write's sorts of a whole push stay in memory.
        sqlx::query(
            "SELECT pg_advisory_xact_lock($1), set_config('plan_cache_mode', 'auto', true), \
             set_config('work_mem', '64MB', true)",
        )
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
        Ok((turn, tx))
    }

    /// The whole push through `COPY … FROM STDIN` (CSV), streamed in chunks: no statement
    /// to parse per few thousand rows, no bind-parameter limit, and PostgreSQL's fastest
    /// way in.
    async fn stage(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        rows: &[ValidObservation],
    ) -> Result<(), StoreError> {
        let mut copy =
            (**tx).copy_in_raw(&format!("COPY push_rows ({PUSH_ROWS_COLUMNS}) FROM STDIN (FORMAT csv)")).await?;
        let mut buffer = String::with_capacity(COPY_CHUNK_BYTES + 512);
        for o in rows {
            copy_line(&mut buffer, o);
            if buffer.len() >= COPY_CHUNK_BYTES {
                copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
            }
        }
        if !buffer.is_empty() {
            copy.send(buffer.into_bytes()).await?;
        }
        copy.finish().await?;
        Ok(())
    }

    /// After a bulk load the planner's statistics may still describe the table as it was
    /// (empty, at first), and it would look rows up by scanning. ANALYZE costs a few hundred
    /// milliseconds whatever the table's size, so it runs only when the write grew the table
    /// by a tenth or more since the statistics were taken. (Releases never analyzed after a
    /// national year was decided made each partner's page look its 49 releases up by
    /// scanning 2.4 million: 0.86 s.)
    async fn after_bulk_insert(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        table: &'static str,
        created: i64,
    ) -> Result<(), StoreError> {
        if created < BULK_ROWS {
            return Ok(());
        }
        let known: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = $1::regclass")
            .bind(table)
            .fetch_one(&mut **tx)
            .await?;
        if known <= 0.0 || created as f32 * 10.0 >= known {
            sqlx::query(&format!("ANALYZE {table}")).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Queues a notice per few hundred ids inside the transaction: PostgreSQL delivers them
    /// to every listening replica (this one included) only if it commits.
    async fn announce(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let payloads: Vec<String> = ids
            .chunks(IDS_PER_NOTICE)
            .map(|chunk| chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
            .collect();
        sqlx::query("SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) AS payload")
            .bind(CHANNEL)
            .bind(payloads)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The notices come back through the listener.
    fn announced(&self, _ids: Vec<i64>) {}

    /// An empty notice: a token was revoked, and every replica's subscribers check theirs.
    async fn announce_revocation(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&mut **tx).await?;
        Ok(())
    }

    fn revocation_announced(&self) {}

    /// Starts listening on first use (commands such as `seed` never need to).
    fn subscribe(&self) -> broadcast::Receiver<Changed> {
        let receiver = self.changes.subscribe();
        self.listening.call_once(|| {
            tokio::spawn(listen(self.pool.clone(), self.changes.clone()));
        });
        receiver
    }
}

/// Relays notices from PostgreSQL to this process's subscribers. sqlx reconnects a dropped
/// listener by itself; notices sent while it was away are lost, and the feed says so.
async fn listen(pool: PgPool, changes: broadcast::Sender<Changed>) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) => {
                    let ids: Vec<i64> = notice.payload().split(',').filter_map(|id| id.parse().ok()).collect();
                    let _ = changes.send(Arc::new(ids));
                }
                Ok(None) => tracing::warn!("lost the change listener's connection; changes meanwhile were missed"),
                Err(e) => {
                    tracing::warn!(error = %e, "change listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}

/// How much of a push `stage` sends to the server at a time.
const COPY_CHUNK_BYTES: usize = 1 << 20;

/// One staged row as a CSV line in `PUSH_ROWS_COLUMNS`' order: texts quoted (so an empty
/// text stays a text), an absent number or comment left empty (NULL).
fn copy_line(out: &mut String, o: &ValidObservation) {
    use std::fmt::Write;
    let quoted = |out: &mut String, text: &str| {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    };
    let _ = write!(out, "{},", o.row);
    quoted(out, &o.key.indicator_code);
    let _ = write!(out, ",{},", o.key.area_id);
    quoted(out, &o.key.period);
    out.push(',');
    quoted(out, o.key.sex.as_str());
    out.push(',');
    quoted(out, &o.key.age_group);
    out.push(',');
    quoted(out, &o.key.ethnicity);
    let _ = write!(out, ",{}", o.value);
    for n in [o.numerator, o.denominator] {
        out.push(',');
        if let Some(n) = n {
            let _ = write!(out, "{n}");
        }
    }
    out.push(',');
    if let Some(comment) = &o.comment {
        quoted(out, comment);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::observations::{ObservationKey, Sex};

    #[test]
    fn a_staged_line_quotes_texts_and_leaves_absent_numbers_null() {
        let mut row = ValidObservation {
            row: 7,
            key: ObservationKey {
                indicator_code: "SRB".into(),
                area_id: 42,
                area_code: "216".into(),
                period: "2024".into(),
                sex: Sex::Total,
                age_group: "_T".into(),
                ethnicity: "_T".into(),
            },
            value: 112.4,
            numerator: None,
            denominator: Some(100.0),
            comment: Some("say \"hi\", then\nbye".into()),
        };
        let mut line = String::new();
        copy_line(&mut line, &row);
        assert_eq!(line, "7,\"SRB\",42,\"2024\",\"TOTAL\",\"_T\",\"_T\",112.4,,100,\"say \"\"hi\"\", then\nbye\"\n");
        row.comment = None;
        line.clear();
        copy_line(&mut line, &row);
        assert!(line.ends_with(",100,\n"), "{line}");
    }
}
