//! Reading observations: pages of a query, by id, their revisions, and the values progress
//! and reporting work from (tables, totals, arrivals). Mounted by each backend (see the
//! store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::Backend;
use crate::domain::areas::AreaId;
use crate::domain::observations::{After, Observation, ObservationOrder, ObservationQuery, ObservationRevision, Sex};
use crate::domain::reporting::Arrival;
use crate::store::dialect::Dialect;
use crate::store::rows::{
    convert, ArrivalRow, ObservationRow, RevisionRow, OBSERVATION_CURRENT, OBSERVATION_PUBLISHED, PUBLISHED_REVISION,
    REVISION_COLUMNS,
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

/// The conditions of a read of observations, after `selection_head`. The list of units
/// travels as one parameter, so a page of many indicators repeats it cheaply.
fn selection_conditions(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery) {
    in_units(qb, query);
    conditions_within_unit(qb, query);
}

/// The query's units, if it names them: one list parameter.
fn in_units(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery) {
    if let Some(ids) = &query.area_ids {
        let (open, close) = Backend::ANY;
        qb.push(" AND o.area_id ").push(open).push_bind(Backend::ids(ids)).push(close);
    }
}

/// The conditions of `selection_conditions` but the units' and the indicators'.
fn conditions_within_unit(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery) {
    let (open, close) = Backend::ANY;
    if let Some(periods) = &query.periods {
        qb.push(" AND o.period ").push(open).push_bind(Backend::texts(periods)).push(close);
    }
    if let Some(sex) = query.sex {
        qb.push(" AND o.sex = ").push_bind(sex.as_str());
    }
    if let Some(status) = query.status {
        let column = if query.published_only { "r.status" } else { "o.status" };
        qb.push(format!(" AND {column} = ")).push_bind(status.as_str());
    }
}

/// The query's indicators: one page's, or the selection's list.
fn of_indicators(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery, indicator_code: Option<&str>) {
    match (indicator_code, &query.indicator_codes) {
        (Some(code), _) => {
            qb.push(" AND o.indicator_code = ").push_bind(code.to_owned());
        }
        (None, Some(codes)) => {
            let (open, close) = Backend::ANY;
            qb.push(" AND o.indicator_code ").push(open).push_bind(Backend::texts(codes)).push(close);
        }
        (None, None) => {}
    }
}

/// The columns of `o` a page is ordered by, as SQL.
fn order_columns(order: ObservationOrder, table: &str) -> String {
    match order {
        ObservationOrder::Id => format!("{table}.id"),
        ObservationOrder::Period => format!("{table}.period, {table}.id"),
    }
}

/// One page of what a query selects, for one indicator or any: the first `limit` in the
/// query's order after the cursor. The planner seeks the `(indicator_code, id)` or
/// `(area_id, id)` index (the natural key, by period) and stops at the limit; nothing is
/// numbered or counted.
fn push_page(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery, indicator_code: Option<&str>) {
    let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
    qb.push(selection_head(query));
    match &query.area_ids {
        Some(ids) if Backend::LATERAL && ids.len() > 1 => {
            // Each unit's first rows, then the first of those: a short seek per unit on
            // `(area_id, id)` or the natural key. `area_id IN (…) ORDER BY id` would walk
            // the ids from the start, past every other unit's values, until it found the
            // page: two seconds for a province's communes in a national table.
            qb.push(" AND o.id IN (SELECT s.id FROM UNNEST(")
                .push_bind(Backend::ids(ids))
                .push(") AS u(id) CROSS JOIN LATERAL (SELECT o.id, o.period FROM observations o");
            if query.published_only {
                qb.push(PUBLISHED_REVISION);
            }
            qb.push(" WHERE o.area_id = u.id");
            page_conditions(qb, query, indicator_code);
            qb.push(format!(" ORDER BY {} LIMIT ", order_columns(query.order, "o"))).push_bind(limit);
            qb.push(format!(") AS s ORDER BY {} LIMIT ", order_columns(query.order, "s"))).push_bind(limit);
            qb.push(")");
        }
        _ => {
            in_units(qb, query);
            page_conditions(qb, query, indicator_code);
        }
    }
    qb.push(format!(" ORDER BY {} LIMIT ", order_columns(query.order, "o"))).push_bind(limit);
}

/// A page's conditions but its units': the indicators, the selection's other conditions,
/// and the cursor.
fn page_conditions(qb: &mut QueryBuilder<'_, Db>, query: &ObservationQuery, indicator_code: Option<&str>) {
    of_indicators(qb, query, indicator_code);
    conditions_within_unit(qb, query);
    match (&query.after, query.order) {
        (None, _) => {}
        (Some(After { id, period: Some(period) }), ObservationOrder::Period) => {
            qb.push(" AND (o.period > ")
                .push_bind(period.clone())
                .push(" OR (o.period = ")
                .push_bind(period.clone())
                .push(" AND o.id > ")
                .push_bind(*id)
                .push("))");
        }
        (Some(After { id, .. }), _) => {
            qb.push(" AND o.id > ").push_bind(*id);
        }
    }
}

/// Values in id order, sorted here: a plan's totals are some 20,000 rows on a national
/// table, and PostgreSQL sorted them on disk past its 4 MB of `work_mem`.
fn by_id(mut rows: Vec<Observation>) -> Vec<Observation> {
    rows.sort_unstable_by_key(|o| o.id);
    rows
}

/// Indicators whose pages one statement reads: SQLite allows 500 terms in a compound
/// select, and the catalogue has a few dozen.
const PAGES_PER_STATEMENT: usize = 200;

#[async_trait]
impl ObservationStore for Backend {
    #[tracing::instrument(name = "store.breakdown_codes", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn breakdown_codes(&self, indicator_codes: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let sql = format!(
            "SELECT DISTINCT age_group, ethnicity FROM observations \
             WHERE indicator_code {} AND approved_revision IS NOT NULL ORDER BY 1, 2",
            Self::any(1)
        );
        Ok(sqlx::query_as(&sql).bind(Self::texts(indicator_codes)).fetch_all(self.pool()).await?)
    }

    #[tracing::instrument(name = "store.observations", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn observations(&self, query: &ObservationQuery) -> Result<(Vec<Observation>, Option<usize>), StoreError> {
        let mut page = QueryBuilder::<Db>::new("");
        push_page(&mut page, query, None);
        let rows: Vec<ObservationRow> = page.build_query_as().fetch_all(self.pool()).await?;
        let total = if query.counted {
            let mut count = QueryBuilder::<Db>::new(format!("SELECT COUNT(*) FROM ({}", selection_head(query)));
            of_indicators(&mut count, query, None);
            selection_conditions(&mut count, query);
            count.push(") AS selection");
            let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
            Some(usize::try_from(total).unwrap_or_default())
        } else {
            None
        };
        Ok((convert(rows)?, total))
    }

    #[tracing::instrument(name = "store.observation_pages", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn observation_pages(
        &self,
        indicator_codes: &[String],
        query: &ObservationQuery,
    ) -> Result<(Vec<Observation>, Vec<(String, i64)>), StoreError> {
        // Each indicator's page is its own ordered, limited select: an index seek per
        // indicator, where numbering every selected row to keep the first of each read
        // them all.
        let mut rows: Vec<ObservationRow> = Vec::new();
        for codes in indicator_codes.chunks(PAGES_PER_STATEMENT) {
            let mut page = QueryBuilder::<Db>::new("");
            for (i, code) in codes.iter().enumerate() {
                page.push(if i == 0 { "SELECT * FROM (" } else { " UNION ALL SELECT * FROM (" });
                push_page(&mut page, query, Some(code));
                page.push(") AS page");
            }
            rows.extend(page.build_query_as::<ObservationRow>().fetch_all(self.pool()).await?);
        }
        let totals = if query.counted && !indicator_codes.is_empty() {
            let (open, close) = Backend::ANY;
            let mut count = QueryBuilder::<Db>::new(format!(
                "SELECT selection.indicator_code, COUNT(*) FROM ({}",
                selection_head(query)
            ));
            count.push(" AND o.indicator_code ").push(open).push_bind(Backend::texts(indicator_codes)).push(close);
            selection_conditions(&mut count, query);
            count.push(") AS selection GROUP BY selection.indicator_code");
            count.build_query_as().fetch_all(self.pool()).await?
        } else {
            Vec::new()
        };
        let mut rows: Vec<Observation> = convert(rows)?;
        query.sort(&mut rows);
        rows.sort_by(|a, b| a.key.indicator_code.cmp(&b.key.indicator_code));
        Ok((rows, totals))
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
        periods: Option<&[String]>,
        published_only: bool,
    ) -> Result<Vec<Observation>, StoreError> {
        let (select, status) = standing_values(published_only);
        let (open, close) = Backend::ANY;
        let sexes: Vec<String> = sexes.iter().map(|s| s.as_str().to_owned()).collect();
        let mut qb = QueryBuilder::<Db>::new(format!("{select}{status} AND o.indicator_code {open}"));
        qb.push_bind(Backend::texts(indicator_codes)).push(format!("{close} AND o.area_id {open}"));
        qb.push_bind(Backend::ids(area_ids)).push(format!("{close} AND o.sex {open}"));
        qb.push_bind(Backend::texts(&sexes)).push(close);
        if let Some(periods) = periods {
            qb.push(format!(" AND o.period {open}")).push_bind(Backend::texts(periods)).push(close);
        }
        qb.push(" AND o.age_group = '_T' AND o.ethnicity = '_T'");
        let rows: Vec<ObservationRow> = qb.build_query_as().fetch_all(self.pool()).await?;
        Ok(by_id(convert(rows)?))
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
            "{select}{status} AND o.indicator_code {} AND o.area_id {} AND o.period {}",
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
        Ok(by_id(convert(rows)?))
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
