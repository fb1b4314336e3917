//! The store as a whole rather than a subject: its name, its change feed, its pool, its
//! migrations and its health. Mounted by each backend (see the store's module doc):
//! `Backend` is that backend's store.

use async_trait::async_trait;

use super::Backend;
use crate::store::dialect::Dialect;
use crate::store::{Changed, PoolUse, Store, StoreError};

#[async_trait]
impl Store for Backend {
    fn backend(&self) -> &'static str {
        Self::BACKEND
    }

    fn changes(&self) -> tokio::sync::broadcast::Receiver<Changed> {
        self.subscribe()
    }

    fn pool_use(&self) -> PoolUse {
        PoolUse {
            open: self.pool().size(),
            idle: u32::try_from(self.pool().num_idle()).unwrap_or(u32::MAX),
            max: self.pool().options().get_max_connections(),
        }
    }

    #[tracing::instrument(name = "store.migrate", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn migrate(&self) -> Result<(), StoreError> {
        self.run_migrations().await
    }

    #[tracing::instrument(name = "store.backup", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn backup(&self, file: &std::path::Path) -> Result<(), StoreError> {
        self.backup_into(file).await
    }

    #[tracing::instrument(name = "store.ping", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }
}
