//! Disclosure decisions: which revisions of sensitive values partners have been shown
//! (`releases`), and when each sensitive indicator's year was last decided. Mounted by
//! each backend (see the store's module doc): `Backend` is that backend's store.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Backend;
use crate::domain::areas::Area;
use crate::domain::observations::Observation;
use crate::store::dialect::Dialect;
use crate::store::rows::{convert, AreaRow, ObservationRow, AREA_COLUMNS, OBSERVATION_PUBLISHED, PUBLISHED_REVISION};
use crate::store::{Decide, DisclosureStore, Settled, StoreError};

/// How many times a year is read and decided again when it changed meanwhile.
const DECIDE_ATTEMPTS: usize = 3;

/// A read transaction for deciding disclosure (a year at start-up or after an approval, the
/// years still to decide), without the requests' statement timeout: a national year is
/// more than a request may read in that time.
async fn disclosure_read(
    store: &Backend,
) -> Result<sqlx::Transaction<'static, <Backend as Dialect>::Database>, StoreError> {
    let mut read = store.pool().begin().await?;
    Backend::without_statement_timeout(&mut read).await?;
    Ok(read)
}

/// The ids of the year's values whose current approved revision was released.
async fn shown_in<'e, E>(
    executor: E,
    in_year: &str,
    indicator_code: &str,
    periods: &[String],
) -> Result<HashSet<i64>, StoreError>
where
    E: sqlx::Executor<'e, Database = <Backend as Dialect>::Database>,
{
    let sql = format!(
        "SELECT rl.observation_id FROM releases rl \
         JOIN observations o ON o.id = rl.observation_id AND o.approved_revision = rl.revision WHERE {in_year}"
    );
    let rows: Vec<(i64,)> =
        sqlx::query_as(&sql).bind(indicator_code).bind(Backend::texts(periods)).fetch_all(executor).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

#[async_trait]
impl DisclosureStore for Backend {
    #[tracing::instrument(name = "store.released", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn released(&self, cells: &[(i64, i32)]) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<i64> = cells.iter().map(|(id, _)| *id).collect();
        let sql = format!("SELECT observation_id, revision FROM releases WHERE observation_id {}", Self::any(1));
        let rows: Vec<(i64, i32)> = sqlx::query_as(&sql).bind(Self::ids(&ids)).fetch_all(self.pool()).await?;
        let asked: HashSet<(i64, i32)> = cells.iter().copied().collect();
        Ok(rows.into_iter().filter(|r| asked.contains(r)).map(|(id, _)| id).collect())
    }

    #[tracing::instrument(name = "store.settle_disclosure", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn settle_disclosure(
        &self,
        indicator_code: &str,
        year: &str,
        periods: &[String],
        at: DateTime<Utc>,
        decide: Decide<'_>,
    ) -> Result<Settled, StoreError> {
        let in_year = format!("o.indicator_code = $1 AND o.period {}", Self::any(2));
        // A national year takes a while to decide: it is decided without the write lock,
        // and recorded only if the year is still as it was read (the same values at the
        // same revisions, the same shown), else read and decided again.
        for _ in 0..DECIDE_ATTEMPTS {
            // A national year's 600,000 values take longer to read than a request may.
            let mut read = disclosure_read(self).await?;
            let sql = format!("{OBSERVATION_PUBLISHED} AND {in_year}");
            let rows = sqlx::query_as::<_, ObservationRow>(&sql)
                .bind(indicator_code)
                .bind(Self::texts(periods))
                .fetch_all(&mut *read)
                .await?;
            let cells: Vec<Observation> = convert(rows)?;
            // The cells' units and the units under them, by the ids read (reading the year
            // again for them took 25 s on the national set).
            let mut here: Vec<i64> = cells.iter().map(|o| o.key.area_id).collect();
            here.sort_unstable();
            here.dedup();
            let sql = format!(
                "SELECT {AREA_COLUMNS} FROM areas a WHERE a.id {in_here} OR a.parent_id {in_here}",
                in_here = Self::any(1)
            );
            let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::ids(&here)).fetch_all(&mut *read).await?;
            let units: Vec<Area> = convert(rows)?;
            let shown = shown_in(&mut *read, &in_year, indicator_code, periods).await?;
            read.commit().await?;
            let release = match tokio::runtime::Handle::current().runtime_flavor() {
                // Hours of CPU at worst: off the runtime's few worker threads.
                tokio::runtime::RuntimeFlavor::MultiThread => {
                    tokio::task::block_in_place(|| decide(&cells, &units, &shown))
                }
                _ => decide(&cells, &units, &shown),
            };

            let (_turn, mut tx) = self.begin_write().await?;
            let sql = format!(
                "SELECT o.id, o.approved_revision FROM observations o{PUBLISHED_REVISION} WHERE {in_year} ORDER BY o.id"
            );
            let now: Vec<(i64, i32)> =
                sqlx::query_as(&sql).bind(indicator_code).bind(Self::texts(periods)).fetch_all(&mut *tx).await?;
            let mut read: Vec<(i64, i32)> = cells.iter().map(|o| (o.id, o.revision)).collect();
            read.sort_unstable();
            if now != read || shown_in(&mut *tx, &in_year, indicator_code, periods).await? != shown {
                tx.rollback().await?;
                continue;
            }
            let new: Vec<i64> = release.iter().filter(|id| !shown.contains(id)).copied().collect();
            if !new.is_empty() {
                sqlx::query(&format!(
                    "INSERT INTO releases (observation_id, revision, released_at) \
                     SELECT id, approved_revision, $2 FROM observations WHERE id {} AND approved_revision IS NOT NULL \
                     ON CONFLICT DO NOTHING",
                    Self::any(1)
                ))
                .bind(Self::ids(&new))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let added = i64::try_from(new.len()).unwrap_or(i64::MAX);
                Self::after_bulk_insert(&mut tx, "releases", added).await?;
            }
            sqlx::query(
                "INSERT INTO disclosure_settlements (indicator_code, year, settled_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (indicator_code, year) DO UPDATE SET settled_at = excluded.settled_at",
            )
            .bind(indicator_code)
            .bind(year)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Settled { values: cells.len(), released: release.len(), newly_released: new.len() });
        }
        // Left undecided (withheld): the next approval of the year, or the next start, decides.
        tracing::warn!(indicator_code, year, "the year kept changing while it was decided");
        Ok(Settled::default())
    }

    #[tracing::instrument(name = "store.unsettled_disclosures", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn unsettled_disclosures(&self) -> Result<Vec<(String, String)>, StoreError> {
        // A year is decided again when a value of it was approved after the last decision
        // (or it never was): a decision that did not follow a review, or values loaded
        // straight into the database. On the national set this reads 6 million sensitive
        // values (20 s).
        let mut read = disclosure_read(self).await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT o.indicator_code, substr(o.period, 1, 4) AS year FROM observations o \
             JOIN indicators i ON i.code = o.indicator_code AND i.sensitive \
             JOIN observation_revisions r ON r.observation_id = o.id AND r.revision = o.approved_revision \
             LEFT JOIN disclosure_settlements s ON s.indicator_code = o.indicator_code \
               AND s.year = substr(o.period, 1, 4) \
             WHERE s.settled_at IS NULL OR r.reviewed_at > s.settled_at \
             GROUP BY o.indicator_code, substr(o.period, 1, 4) ORDER BY 1, 2",
        )
        .fetch_all(&mut *read)
        .await?;
        read.commit().await?;
        Ok(rows)
    }
}
