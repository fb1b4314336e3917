//! The audit log's entries, as the admin reads them (`Query.auditLog`).

use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

use super::enums::AuditActionEnum;
use crate::domain::audit::AuditEntry;

pub struct AuditEntryObject(pub AuditEntry);

/// One recorded action: who did what, when, under which request.
#[Object(name = "AuditEntry")]
impl AuditEntryObject {
    async fn id(&self) -> ID {
        ID(self.0.id.unwrap_or_default().to_string())
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The token subject that acted.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    async fn action(&self) -> AuditActionEnum {
        self.0.action.into()
    }

    /// What it acted on.
    async fn target(&self) -> &str {
        &self.0.target
    }

    /// Rows pushed or reviewed.
    async fn rows(&self) -> i64 {
        self.0.rows
    }

    /// Counts of a push; the reason of a rejection; a token's expiry.
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    /// The `x-request-id` of the request, to find its log lines.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
