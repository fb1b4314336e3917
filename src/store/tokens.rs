//! Revoked tokens. A revocation is announced like a change, so that subscriptions opened
//! with the token end. Mounted by each backend (see the store's module doc): `Backend` is
//! that backend's store.

use async_trait::async_trait;

use super::audit::insert_audit;
use super::Backend;
use crate::domain::audit::AuditEntry;
use crate::store::dialect::Dialect;
use crate::store::{StoreError, TokenStore};

#[async_trait]
impl TokenStore for Backend {
    #[tracing::instrument(name = "store.revoke_token", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn revoke_token(&self, jti: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        let (_turn, mut tx) = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO revoked_tokens (jti, revoked_by, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(jti)
        .bind(&audit.actor)
        .bind(audit.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            insert_audit(&mut tx, audit).await?;
            Self::announce_revocation(&mut tx).await?;
        }
        tx.commit().await?;
        if inserted == 1 {
            self.revocation_announced();
        }
        Ok(inserted == 1)
    }

    #[tracing::instrument(name = "store.is_revoked", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM revoked_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }
}
