//! The audit log (nhật ký thao tác): who pushed, approved, rejected, issued or revoked
//! what, when, under which request. Append-only: the database refuses to change or delete
//! an entry, and each entry is written in the same transaction as what it records.

use chrono::{DateTime, Utc};

use super::named_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Push,
    Approve,
    Reject,
    IssueToken,
    RevokeToken,
}
named_enum!(AuditAction {
    Push = "PUSH",
    Approve = "APPROVE",
    Reject = "REJECT",
    IssueToken = "ISSUE_TOKEN",
    RevokeToken = "REVOKE_TOKEN",
});

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Set by the store once written.
    pub id: Option<i64>,
    pub at: DateTime<Utc>,
    /// The token subject that acted.
    pub actor: String,
    pub action: AuditAction,
    /// What it acted on: observation ids, a token's jti and role.
    pub target: String,
    /// Rows written or reviewed.
    pub rows: i64,
    /// e.g. "created 3, updated 1, unchanged 0"; a rejection's reason.
    pub detail: Option<String>,
    pub request_id: Option<String>,
}

impl AuditEntry {
    pub fn new(actor: &str, action: AuditAction, target: impl Into<String>, request_id: Option<&str>) -> AuditEntry {
        AuditEntry {
            id: None,
            at: Utc::now(),
            actor: actor.to_owned(),
            action,
            target: target.into(),
            rows: 0,
            detail: None,
            request_id: request_id.map(str::to_owned),
        }
    }
}

/// A short, bounded list of ids for an entry's target.
pub fn ids_target(ids: &[i64]) -> String {
    const SHOWN: usize = 20;
    let shown: Vec<String> = ids.iter().take(SHOWN).map(i64::to_string).collect();
    let more = ids.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("observations {} and {more} more", shown.join(", "))
    } else {
        format!("observations {}", shown.join(", "))
    }
}
