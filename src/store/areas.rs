//! Administrative units, their hierarchy, their boundary changes and what each reaches.
//! Mounted by each backend (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::Backend;
use crate::domain::areas::{Area, AreaId, Succession};
use crate::store::dialect::Dialect;
use crate::store::rows::{convert, AreaRow, SuccessionRow, AREA_COLUMNS, SUCCESSION_COLUMNS};
use crate::store::{AreaFilter, AreaStore, StoreError};

type Db = <Backend as Dialect>::Database;

/// ` AND column IN (…)`, a parameter per id, which both backends accept.
fn in_ids(qb: &mut sqlx::QueryBuilder<'_, Db>, column: &str, ids: &[AreaId]) {
    qb.push(format!(" AND {column} IN ("));
    let mut items = qb.separated(", ");
    items.push_bind(-1_i64); // keeps `IN ()` valid when the list is empty; ids are positive
    for id in ids {
        items.push_bind(*id);
    }
    qb.push(")");
}

/// Units of one code in the order they held it, so the oldest holder comes first.
const BY_CODE: &str = "a.code, a.valid_from IS NOT NULL, a.valid_from";

#[async_trait]
impl AreaStore for Backend {
    #[tracing::instrument(name = "store.areas_by_codes", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_by_codes(&self, codes: &[String]) -> Result<Vec<Area>, StoreError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM areas a WHERE a.code {} ORDER BY {BY_CODE}", Self::any(1));
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas_by_ids", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_by_ids(&self, ids: &[AreaId]) -> Result<Vec<Area>, StoreError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM areas a WHERE a.id {} ORDER BY {BY_CODE}", Self::any(1));
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas(&self, filter: AreaFilter<'_>) -> Result<Vec<Area>, StoreError> {
        let mut sql = sqlx::QueryBuilder::new(format!("SELECT {AREA_COLUMNS} FROM areas a WHERE 1 = 1"));
        if let Some(parents) = filter.parent_ids {
            in_ids(&mut sql, "a.parent_id", parents);
        }
        if let Some(level) = filter.level {
            sql.push(" AND a.level = ").push_bind(level.as_str());
        }
        if let Some(day) = filter.valid_on {
            sql.push(" AND (a.valid_from IS NULL OR a.valid_from <= ").push_bind(day);
            sql.push(") AND (a.valid_to IS NULL OR a.valid_to >= ").push_bind(day).push(")");
        }
        if let Some(text) = filter.search {
            sql.push(" AND a.search_name LIKE ").push_bind(format!("%{text}%"));
        }
        if let Some(within) = filter.within {
            in_ids(&mut sql, "a.id", within);
        }
        match filter.search {
            // the name itself before names that hold it, then the higher level
            Some(text) => {
                sql.push(" ORDER BY a.search_name <> ").push_bind(text.to_owned());
                sql.push(format!(", a.level <> 'NATION', a.level <> 'PROVINCE', a.level <> 'DISTRICT', {BY_CODE}"));
            }
            None => {
                sql.push(format!(" ORDER BY {BY_CODE}"));
            }
        }
        if let Some(limit) = filter.limit {
            sql.push(" LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        }
        let rows = sql.build_query_as::<AreaRow>().fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas_by_parents", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_by_parents(&self, parent_ids: &[AreaId]) -> Result<Vec<Area>, StoreError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM areas a WHERE a.parent_id {} ORDER BY {BY_CODE}", Self::any(1));
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::ids(parent_ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas_with_ancestors", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_with_ancestors(&self, ids: &[AreaId]) -> Result<Vec<Area>, StoreError> {
        let sql = format!(
            "WITH RECURSIVE up (id) AS ( \
               SELECT id FROM areas WHERE id {} \
               UNION SELECT a.parent_id FROM areas a JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL) \
             SELECT {AREA_COLUMNS} FROM areas a WHERE a.id IN (SELECT id FROM up) ORDER BY {BY_CODE}",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.area_reach", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn area_reach(&self, ids: &[AreaId]) -> Result<Vec<AreaId>, StoreError> {
        let sql =
            format!("SELECT DISTINCT unit_id FROM area_reach WHERE ancestor_id {} ORDER BY unit_id", Self::any(1));
        Ok(sqlx::query_scalar(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?)
    }

    #[tracing::instrument(name = "store.successions_of", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn successions_of(&self, ids: &[AreaId]) -> Result<Vec<Succession>, StoreError> {
        let sql = format!(
            "SELECT {SUCCESSION_COLUMNS} FROM area_successions s \
             WHERE s.predecessor_id {any1} OR s.successor_id {any1} ORDER BY s.predecessor_id, s.successor_id",
            any1 = Self::any(1)
        );
        let rows = sqlx::query_as::<_, SuccessionRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?;
        convert(rows)
    }
}
