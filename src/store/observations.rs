//! Reading observations: pages of a query, by id, their revisions, and the values progress
//! and reporting work from (tables, totals, arrivals). Mounted by each backend (see the
//! store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::Backend;
use crate::domain::areas::AreaId;
use crate::domain::observations::{Observation, ObservationQuery, ObservationRevision, Sex};
use crate::domain::reporting::Arrival;
use crate::store::dialect::Dialect;
use crate::store::rows::{
    convert, ArrivalRow, ObservationRow, RevisionRow, OBSERVATION_CURRENT, OBSERVATION_PUBLISHED, REVISION_COLUMNS,
};
use crate::store::{ObservationStore, StoreError};

type Db = <Backend as Dialect>::Database;

/// The select a read of observations starts from: the current revision, or for partners
/// the last approved one.
fn selection_head(query: &ObservationQuery) -> &'static str {
    if query.published_only {
        OBSERVATION_PUBLISHED
    } else {
        OBSERVATION_CURRENT
    }
}

/// The select of values that count for progress and tables, and the condition to add:
/// rejected values left out; for partners, the last approved revision only.
fn standing_values(published_only: bool) -> (&'static str, &'static str) {
    if published_only {
        (OBSERVATION_PUBLISHED, "")
    } else {
        (OBSERVATION_CURRENT, " AND o.status <> 'REJECTED'")
    }
}

/// The conditions of a read of observations, after `selection_head`. Lists are bound one
/// parameter per code, which both backends accept.
fn selection_conditions(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery, indicator_codes: Option<&[String]>) {
    fn list(qb: &mut QueryBuilder<'_, Db>, column: &str, codes: &[String]) {
        qb.push(format!(" AND {column} IN ("));
        let mut items = qb.separated(", ");
        items.push_bind(String::new()); // keeps `IN ()` valid when the list is empty
        for code in codes {
            items.push_bind(code.clone());
        }
        qb.push(")");
    }
    if let Some(codes) = indicator_codes {
        list(qb, "o.indicator_code", codes);
    }
    if let Some(ids) = &query.area_ids {
        qb.push(" AND o.area_id IN (");
        let mut items = qb.separated(", ");
        items.push_bind(-1_i64); // ids are positive
        for id in ids {
            items.push_bind(*id);
        }
        qb.push(")");
    }
    if let Some(period) = &query.period {
        qb.push(" AND o.period = ").push_bind(period.clone());
    }
    if let Some(sex) = query.sex {
        qb.push(" AND o.sex = ").push_bind(sex.as_str());
    }
    if let Some(status) = query.status {
        let column = if query.published_only { "r.status" } else { "o.status" };
        qb.push(format!(" AND {column} = ")).push_bind(status.as_str());
    }
}

#[async_trait]
impl ObservationStore for Backend {
    #[tracing::instrument(name = "store.observations", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn observations(&self, query: &ObservationQuery) -> Result<(Vec<Observation>, usize), StoreError> {
        let select = selection_head(query);
        let mut page = QueryBuilder::<Db>::new(select);
        selection_conditions(&mut page, query, query.indicator_code.as_ref().map(std::slice::from_ref));
        if let Some(after) = query.after_id {
            page.push(" AND o.id > ").push_bind(after);
        }
        page.push(" ORDER BY o.id LIMIT ").push_bind(i64::try_from(query.limit).unwrap_or(i64::MAX));
        let rows: Vec<ObservationRow> = page.build_query_as().fetch_all(self.pool()).await?;
        let mut count = QueryBuilder::<Db>::new(format!("SELECT COUNT(*) FROM ({select}"));
        selection_conditions(&mut count, query, query.indicator_code.as_ref().map(std::slice::from_ref));
        count.push(") AS selection");
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        Ok((convert(rows)?, usize::try_from(total).unwrap_or_default()))
    }

    #[tracing::instrument(name = "store.observation_pages", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn observation_pages(
        &self,
        indicator_codes: &[String],
        query: &ObservationQuery,
    ) -> Result<(Vec<Observation>, Vec<(String, i64)>), StoreError> {
        let select = selection_head(query);
        let mut page = QueryBuilder::<Db>::new(format!(
            "SELECT * FROM (SELECT selection.*, \
             ROW_NUMBER() OVER (PARTITION BY selection.indicator_code ORDER BY selection.id) AS place \
             FROM ({select}"
        ));
        selection_conditions(&mut page, query, Some(indicator_codes));
        if let Some(after) = query.after_id {
            page.push(" AND o.id > ").push_bind(after);
        }
        page.push(") AS selection) AS paged WHERE place <= ")
            .push_bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
            .push(" ORDER BY indicator_code, id");
        let rows: Vec<ObservationRow> = page.build_query_as().fetch_all(self.pool()).await?;
        let mut count = QueryBuilder::<Db>::new(format!("SELECT selection.indicator_code, COUNT(*) FROM ({select}"));
        selection_conditions(&mut count, query, Some(indicator_codes));
        count.push(") AS selection GROUP BY selection.indicator_code");
        let totals: Vec<(String, i64)> = count.build_query_as().fetch_all(self.pool()).await?;
        Ok((convert(rows)?, totals))
    }

    #[tracing::instrument(name = "store.observations_by_ids", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn observations_by_ids(&self, ids: &[i64], published_only: bool) -> Result<Vec<Observation>, StoreError> {
        let select = if published_only { OBSERVATION_PUBLISHED } else { OBSERVATION_CURRENT };
        let sql = format!("{select} AND o.id {} ORDER BY o.id", Self::any(1));
        let rows = sqlx::query_as::<_, ObservationRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.revisions_by_observations", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn revisions_by_observations(&self, ids: &[i64]) -> Result<Vec<ObservationRevision>, StoreError> {
        let sql = format!(
            "SELECT {REVISION_COLUMNS} FROM observation_revisions WHERE observation_id {} \
             ORDER BY observation_id, revision",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, RevisionRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.totals", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn totals(
        &self,
        indicator_codes: &[String],
        area_ids: &[AreaId],
        sexes: &[Sex],
        published_only: bool,
    ) -> Result<Vec<Observation>, StoreError> {
        let (select, status) = standing_values(published_only);
        let sql = format!(
            "{select}{status} AND o.indicator_code {} AND o.area_id {} AND o.sex {} \
             AND o.age_group = '_T' AND o.ethnicity = '_T' ORDER BY o.id",
            Self::any(1),
            Self::any(2),
            Self::any(3)
        );
        let sexes: Vec<String> = sexes.iter().map(|s| s.as_str().to_owned()).collect();
        let rows = sqlx::query_as::<_, ObservationRow>(&sql)
            .bind(Self::texts(indicator_codes))
            .bind(Self::ids(area_ids))
            .bind(Self::texts(&sexes))
            .fetch_all(self.pool())
            .await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.tables", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn tables(
        &self,
        indicator_codes: &[String],
        area_ids: &[AreaId],
        periods: &[String],
        published_only: bool,
    ) -> Result<Vec<Observation>, StoreError> {
        let (select, status) = standing_values(published_only);
        let sql = format!(
            "{select}{status} AND o.indicator_code {} AND o.area_id {} AND o.period {} ORDER BY o.id",
            Self::any(1),
            Self::any(2),
            Self::any(3)
        );
        let rows = sqlx::query_as::<_, ObservationRow>(&sql)
            .bind(Self::texts(indicator_codes))
            .bind(Self::ids(area_ids))
            .bind(Self::texts(periods))
            .fetch_all(self.pool())
            .await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.arrivals", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn arrivals(
        &self,
        indicator_codes: &[String],
        area_ids: &[AreaId],
        periods: &[String],
    ) -> Result<Vec<Arrival>, StoreError> {
        // A value arrived with its first revision not rejected: one probe of the
        // revisions' key per value, however many revisions later pushes added.
        let sql = format!(
            "SELECT * FROM (SELECT o.indicator_code, o.area_id, o.period, \
               MIN((SELECT r.reported_at FROM observation_revisions r \
                    WHERE r.observation_id = o.id AND r.status <> 'REJECTED' \
                    ORDER BY r.revision LIMIT 1)) AS first_reported_at \
             FROM observations o \
             WHERE o.indicator_code {} AND o.area_id {} AND o.period {} \
             GROUP BY o.indicator_code, o.area_id, o.period) arrived \
             WHERE first_reported_at IS NOT NULL",
            Self::any(1),
            Self::any(2),
            Self::any(3)
        );
        let rows = sqlx::query_as::<_, ArrivalRow>(&sql)
            .bind(Self::texts(indicator_codes))
            .bind(Self::ids(area_ids))
            .bind(Self::texts(periods))
            .fetch_all(self.pool())
            .await?;
        convert(rows)
    }
}
