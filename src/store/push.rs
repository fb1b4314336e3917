//! Writing pushed observations: the idempotency receipt, staging the rows, classifying them
//! against what is stored, and writing the new revisions, all in set-based statements.
//! Mounted by each backend (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::audit::insert_audit;
use super::Backend;
use crate::store::dialect::Dialect;
use crate::store::{ObservationWrite, PushStore, StoreError, WriteCounts, WriteOutcome};

/// The staging table's columns, in the order `Dialect::stage` binds them.
pub(super) const PUSH_ROWS_COLUMNS: &str =
    "row_no, indicator_code, area_id, period, sex, age_group, ethnicity, value, numerator, denominator, comment";

/// The per-connection staging table a push is loaded into before set-based statements
/// classify and write it. The same DDL works in both dialects.
const CREATE_PUSH_ROWS: &str = "CREATE TEMP TABLE IF NOT EXISTS push_rows ( \
    row_no BIGINT NOT NULL, indicator_code TEXT NOT NULL, area_id BIGINT NOT NULL, period TEXT NOT NULL, \
    sex TEXT NOT NULL, age_group TEXT NOT NULL, ethnicity TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, \
    numerator DOUBLE PRECISION, denominator DOUBLE PRECISION, comment TEXT)";

/// The staged rows inserted as new values, in file order. Parameters: the source agency, the
/// reporter, the time. `WHERE true` is SQLite's: without it, the `ON CONFLICT` that may
/// follow would read as the join constraint of the `FROM`.
const INSERT_STAGED: &str = "INSERT INTO observations AS o (indicator_code, area_id, period, sex, age_group, \
      ethnicity, value, numerator, denominator, status, revision, source_agency_code, reported_by, reported_at, \
      comment) \
    SELECT indicator_code, area_id, period, sex, age_group, ethnicity, value, numerator, denominator, \
      'SUBMITTED', 1, $1, $2, $3, comment \
    FROM push_rows WHERE true ORDER BY row_no";

/// After `INSERT_STAGED`: a row whose natural key is stored is written over the stored value
/// where it changes it; a value pushed again as it stands is left alone (and not returned).
const ON_CONFLICT: &str = " ON CONFLICT (indicator_code, area_id, period, sex, age_group, ethnicity) DO UPDATE SET \
      value = EXCLUDED.value, numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator, \
      comment = EXCLUDED.comment, status = 'SUBMITTED', revision = o.revision + 1, \
      source_agency_code = EXCLUDED.source_agency_code, reported_by = EXCLUDED.reported_by, \
      reported_at = EXCLUDED.reported_at \
    WHERE NOT (o.value = EXCLUDED.value AND o.status <> 'REJECTED' \
      AND (EXCLUDED.comment IS NULL OR o.comment IS NOT DISTINCT FROM EXCLUDED.comment) \
      AND ((EXCLUDED.numerator IS NULL AND EXCLUDED.denominator IS NULL) \
        OR (o.numerator IS NOT DISTINCT FROM EXCLUDED.numerator \
          AND o.denominator IS NOT DISTINCT FROM EXCLUDED.denominator)))";

#[async_trait]
impl PushStore for Backend {
    #[tracing::instrument(name = "store.push_receipt", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn push_receipt(&self, subject: &str, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT summary FROM push_receipts WHERE subject = $1 AND idempotency_key = $2")
            .bind(subject)
            .bind(key)
            .fetch_optional(self.pool())
            .await?)
    }

    #[tracing::instrument(name = "store.write_observations", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn write_observations(&self, write: ObservationWrite<'_>) -> Result<WriteOutcome, StoreError> {
        let (_turn, mut tx) = self.begin_write().await?;
        if let (Some(receipt), false) = (&write.receipt, write.dry_run) {
            // Claim the key first: a concurrent push with the same key waits here
            // and then finds it taken.
            let claimed = sqlx::query(
                "INSERT INTO push_receipts (subject, idempotency_key, summary, created_at) \
                 VALUES ($1, $2, '', $3) ON CONFLICT DO NOTHING",
            )
            .bind(write.reported_by)
            .bind(receipt.key)
            .bind(write.reported_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                drop(tx);
                let summary = self.push_receipt(write.reported_by, receipt.key).await?.unwrap_or_default();
                return Ok(WriteOutcome::AlreadySeen(summary));
            }
        }
        sqlx::query(CREATE_PUSH_ROWS).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM push_rows").execute(&mut *tx).await?;
        Self::stage(&mut tx, write.rows).await?;
        let mut written = if Self::DATA_MODIFYING_WITH {
            write_by_upsert(&mut tx, &write).await?
        } else {
            write_by_upsert_then_revisions(&mut tx, &write).await?
        };
        // Announced in id order: sorted here, not by one more sort of the whole push in
        // the statement.
        written.sort_unstable();
        let created = written.iter().filter(|(_, created)| *created).count();
        let counts = WriteCounts {
            created,
            updated: written.len() - created,
            unchanged: write.rows.len().saturating_sub(written.len()),
        };
        Self::after_bulk_insert(&mut tx, "observations", i64::try_from(created).unwrap_or(i64::MAX)).await?;
        let changed: Vec<i64> = written.into_iter().map(|(id, _)| id).collect();
        sqlx::query("DELETE FROM push_rows").execute(&mut *tx).await?;
        if write.dry_run {
            tx.rollback().await?;
        } else {
            if let Some(receipt) = &write.receipt {
                sqlx::query("UPDATE push_receipts SET summary = $3 WHERE subject = $1 AND idempotency_key = $2")
                    .bind(write.reported_by)
                    .bind(receipt.key)
                    .bind((receipt.summary)(&counts))
                    .execute(&mut *tx)
                    .await?;
            }
            let audit = (write.audit)(&counts);
            insert_audit(&mut tx, &audit).await?;
            Self::announce(&mut tx, &changed).await?;
            tx.commit().await?;
            self.announced(changed);
        }
        Ok(WriteOutcome::Written(counts))
    }
}

type Tx<'t> = sqlx::Transaction<'t, <Backend as Dialect>::Database>;

/// What a write returns: the id of each observation it inserted or changed, and whether it
/// inserted it.
type Written = Vec<(i64, bool)>;

/// Classifies and writes the staged rows in one statement where the backend allows a data-
/// modifying `WITH` (PostgreSQL, which has `LATERAL` too): an upsert on the natural key that
/// leaves unchanged values alone, and the new revisions from what it returns. No join of the
/// staged rows with `observations` and no second pass to find the new ids: each row costs
/// one probe of the natural key, as a plain insert's uniqueness check does. Writes take
/// turns, so no other push races the upsert, nor the plain insert below.
///
/// A push that reports only periods of indicators and units with no value stored yet (a new
/// year's figures, the common case) inserts its rows plainly: PostgreSQL's upsert inserts
/// each row speculatively, which cost 0.47 s of a 100,000-row push's 2.7 s. Whether one is
/// stored is a probe of the natural key's index per indicator, unit and period of the push:
/// `LATERAL … LIMIT 1`, as a semi-join the planner may hash a scan of the whole table.
async fn write_by_upsert(tx: &mut Tx<'_>, write: &ObservationWrite<'_>) -> Result<Written, StoreError> {
    let stored: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT indicator_code, area_id, period FROM push_rows) g \
           CROSS JOIN LATERAL (SELECT 1 FROM observations o WHERE o.indicator_code = g.indicator_code \
             AND o.area_id = g.area_id AND o.period = g.period LIMIT 1) one)",
    )
    .fetch_one(&mut **tx)
    .await?;
    let on_conflict = if stored { ON_CONFLICT } else { "" };
    Ok(sqlx::query_as(&format!(
        "WITH written AS ({INSERT_STAGED}{on_conflict} \
           RETURNING o.id, o.revision, o.value, o.numerator, o.denominator, o.status, o.comment, \
             o.reported_by, o.reported_at, o.xmax = 0 AS created), \
         revisions AS ( \
           INSERT INTO observation_revisions (observation_id, revision, value, numerator, denominator, \
             status, comment, reported_by, reported_at) \
           SELECT id, revision, value, numerator, denominator, status, comment, reported_by, reported_at \
           FROM written) \
         SELECT id, created FROM written"
    ))
    .bind(write.source_agency)
    .bind(write.reported_by)
    .bind(write.reported_at)
    .fetch_all(&mut **tx)
    .await?)
}

/// The staged rows written over what is stored (SQLite, which has no data-modifying `WITH`):
/// the upsert (`INSERT_STAGED` with `ON_CONFLICT`) returns the ids it wrote, and a second
/// statement copies those rows into the revisions by id. One probe of the natural key per
/// row, where classifying the rows by joins before writing them took six more statements,
/// two of them passes over the natural key (figures in bench/RESULTS.md).
async fn write_by_upsert_then_revisions(tx: &mut Tx<'_>, write: &ObservationWrite<'_>) -> Result<Written, StoreError> {
    // An update raises the revision: only a new row is at its first.
    let written: Written =
        sqlx::query_as(&format!("{INSERT_STAGED}{ON_CONFLICT} RETURNING id, revision = 1 AS created"))
            .bind(write.source_agency)
            .bind(write.reported_by)
            .bind(write.reported_at)
            .fetch_all(&mut **tx)
            .await?;
    let ids: Vec<i64> = written.iter().map(|(id, _)| *id).collect();
    sqlx::query(&format!(
        "INSERT INTO observation_revisions (observation_id, revision, value, numerator, denominator, \
           status, comment, reported_by, reported_at) \
         SELECT id, revision, value, numerator, denominator, status, comment, reported_by, reported_at \
         FROM observations WHERE id {}",
        Backend::any(1)
    ))
    .bind(Backend::ids(&ids))
    .execute(&mut **tx)
    .await?;
    Ok(written)
}
