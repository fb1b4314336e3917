//! The audit log: who did what, when. Entries are mostly written by other subjects, inside
//! the transaction of what they record, through `insert_audit`. Mounted by each backend
//! (see the store's module doc): `Backend` is that backend's store.

use async_trait::async_trait;
use sqlx::Transaction;

use super::Backend;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::store::dialect::Dialect;
use crate::store::rows::{convert, AuditRow};
use crate::store::{AuditStore, StoreError};

/// Writes an audit entry inside the transaction of what it records, so that the entry and
/// the change commit or roll back together.
pub(super) async fn insert_audit(
    tx: &mut Transaction<'_, <Backend as Dialect>::Database>,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, row_count, detail, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(entry.action.as_str())
    .bind(&entry.target)
    .bind(entry.rows)
    .bind(&entry.detail)
    .bind(&entry.request_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl AuditStore for Backend {
    #[tracing::instrument(name = "store.record_audit", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        insert_audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.audit_log", skip_all, fields(otel.kind = "client", db.system.name = Self::SYSTEM))]
    async fn audit_log(
        &self,
        action: Option<AuditAction>,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query_as::<_, AuditRow>(
            "SELECT id, at, actor, action, target, row_count, detail, request_id FROM audit_log \
             WHERE (CAST($1 AS TEXT) IS NULL OR action = $1) AND (CAST($2 AS BIGINT) IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(action.map(|a| a.as_str()))
        .bind(before_id)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        convert(rows)
    }
}
