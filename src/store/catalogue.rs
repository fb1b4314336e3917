//! The catalogue the plans refer to: agencies and indicators. Mounted by each backend (see
//! the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::Backend;
use crate::domain::agencies::Agency;
use crate::domain::areas::AreaId;
use crate::domain::indicators::Indicator;
use crate::store::dialect::Dialect;
use crate::store::rows::{convert, AgencyRow, IndicatorRow, AGENCIES, AGENCY_COLUMNS, INDICATOR_COLUMNS};
use crate::store::{CatalogueStore, StoreError};

#[async_trait]
impl CatalogueStore for Backend {
    #[tracing::instrument(name = "store.agencies", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn agencies(&self, within: Option<&[AreaId]>) -> Result<Vec<Agency>, StoreError> {
        let rows = match within {
            Some(ids) => {
                let sql =
                    format!("SELECT {AGENCY_COLUMNS} FROM {AGENCIES} WHERE g.area_id {} ORDER BY g.code", Self::any(1));
                sqlx::query_as::<_, AgencyRow>(&sql).bind(Self::ids(ids)).fetch_all(self.pool()).await?
            }
            None => {
                let sql = format!("SELECT {AGENCY_COLUMNS} FROM {AGENCIES} ORDER BY g.code");
                sqlx::query_as::<_, AgencyRow>(&sql).fetch_all(self.pool()).await?
            }
        };
        convert(rows)
    }

    #[tracing::instrument(name = "store.agencies_by_codes", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn agencies_by_codes(&self, codes: &[String]) -> Result<Vec<Agency>, StoreError> {
        let sql = format!("SELECT {AGENCY_COLUMNS} FROM {AGENCIES} WHERE g.code {} ORDER BY g.code", Self::any(1));
        let rows = sqlx::query_as::<_, AgencyRow>(&sql).bind(Self::texts(codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.indicators", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn indicators(&self) -> Result<Vec<Indicator>, StoreError> {
        let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicators ORDER BY code");
        let rows = sqlx::query_as::<_, IndicatorRow>(&sql).fetch_all(self.pool()).await?;
        convert(rows)
    }

    #[tracing::instrument(name = "store.indicators_by_codes", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn indicators_by_codes(&self, codes: &[String]) -> Result<Vec<Indicator>, StoreError> {
        let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicators WHERE code {} ORDER BY code", Self::any(1));
        let rows = sqlx::query_as::<_, IndicatorRow>(&sql).bind(Self::texts(codes)).fetch_all(self.pool()).await?;
        convert(rows)
    }
}
