//! Reviewing observations: approving or rejecting their current revision. Mounted by each
//! backend (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;

use super::audit::insert_audit;
use super::Backend;
use crate::domain::audit::AuditEntry;
use crate::domain::observations::Decision;
use crate::store::dialect::Dialect;
use crate::store::{ReviewStore, StoreError};

#[async_trait]
impl ReviewStore for Backend {
    #[tracing::instrument(name = "store.review_observations", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn review_observations(
        &self,
        ids: &[i64],
        decision: Decision,
        reviewer: &str,
        reason: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let at = audit.at;
        let status = match decision {
            Decision::Approve => "APPROVED",
            Decision::Reject => "REJECTED",
        };
        let (_turn, mut tx) = self.begin_write().await?;
        sqlx::query(&format!(
            "UPDATE observations SET status = $1, \
             approved_revision = CASE WHEN $1 = 'APPROVED' THEN revision ELSE approved_revision END \
             WHERE id {}",
            Self::any(2)
        ))
        .bind(status)
        .bind(Self::ids(ids))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "UPDATE observation_revisions SET status = $1, reviewed_by = $2, reviewed_at = $3, review_reason = $4 \
             WHERE (observation_id, revision) IN (SELECT id, revision FROM observations WHERE id {})",
            Self::any(5)
        ))
        .bind(status)
        .bind(reviewer)
        .bind(at)
        .bind(reason)
        .bind(Self::ids(ids))
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, audit).await?;
        Self::announce(&mut tx, ids).await?;
        tx.commit().await?;
        self.announced(ids.to_vec());
        Ok(())
    }
}
