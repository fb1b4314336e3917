//! Administrative areas, their hierarchy and their boundary changes. Mounted by each
//! backend (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::Backend;
use crate::domain::areas::{Area, Succession};
use crate::store::dialect::Dialect;
use crate::store::rows::{convert, AreaRow, SuccessionRow, AREA_COLUMNS};
use crate::store::{AreaFilter, AreaStore, StoreError};

#[async_trait]
impl AreaStore for Backend {
    #[tracing::instrument(name = "store.area_subtree", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn area_subtree(&self, code: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "WITH RECURSIVE subtree (code) AS ( \
               SELECT code FROM areas WHERE code = $1 \
               UNION SELECT a.code FROM areas a JOIN subtree s ON a.parent_code = s.code) \
             SELECT code FROM subtree ORDER BY code",
        )
        .bind(code)
        .fetch_all(self.pool())
        .await?)
    }

    #[tracing::instrument(name = "store.areas", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas(&self, filter: AreaFilter<'_>) -> Result<Vec<Area>, StoreError> {
        let within = match filter.within {
            Some(_) => format!("AND code {}", Self::any(3)),
            None => String::new(),
        };
        let sql = format!(
            "SELECT {AREA_COLUMNS} FROM areas \
             WHERE (CAST($1 AS TEXT) IS NULL OR parent_code = $1) \
               AND (CAST($2 AS TEXT) IS NULL OR level = $2) {within} ORDER BY code"
        );
        let query = sqlx::query_as::<_, AreaRow>(&sql).bind(filter.parent_code).bind(filter.level.map(|l| l.as_str()));
        let rows = match filter.within {
            Some(codes) => query.bind(Self::texts(codes)).fetch_all(self.pool()).await?,
            None => query.fetch_all(self.pool()).await?,
        };
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas_by_codes", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_by_codes(&self, codes: &[String]) -> Result<Vec<Area>, StoreError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE code {} ORDER BY code", Self::any(1));
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas_by_parents", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_by_parents(&self, parent_codes: &[String]) -> Result<Vec<Area>, StoreError> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE parent_code {} ORDER BY code", Self::any(1));
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(parent_codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.areas_with_ancestors", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn areas_with_ancestors(&self, codes: &[String]) -> Result<Vec<Area>, StoreError> {
        let sql = format!(
            "WITH RECURSIVE up (code) AS ( \
               SELECT code FROM areas WHERE code {} \
               UNION SELECT a.parent_code FROM areas a JOIN up ON a.code = up.code \
               WHERE a.parent_code IS NOT NULL) \
             SELECT {AREA_COLUMNS} FROM areas WHERE code IN (SELECT code FROM up) ORDER BY code",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, AreaRow>(&sql).bind(Self::texts(codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.successions_of", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn successions_of(&self, predecessor_codes: &[String]) -> Result<Vec<Succession>, StoreError> {
        let sql = format!(
            "SELECT predecessor_code, successor_code FROM area_successions \
             WHERE predecessor_code {} ORDER BY predecessor_code, successor_code",
            Self::any(1)
        );
        let rows = sqlx::query_as::<_, SuccessionRow>(&sql)
            .bind(Self::texts(predecessor_codes))
            .fetch_all(self.pool())
            .await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.successions", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn successions(&self) -> Result<Vec<Succession>, StoreError> {
        let rows = sqlx::query_as::<_, SuccessionRow>(
            "SELECT predecessor_code, successor_code FROM area_successions ORDER BY predecessor_code, successor_code",
        )
        .fetch_all(self.pool())
        .await?;
        convert(rows)
    }
}
