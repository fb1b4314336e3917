//! Review (thẩm định): the statistics office of an area, or the administrator, approves or
//! rejects submitted values; each decision is in the audit log with its reason.

use super::Caller;
use crate::domain::audit::{ids_target, AuditAction, AuditEntry};
use crate::domain::observations::{Decision, Observation};
use crate::domain::review::{parse_request, values_to_change};
use crate::domain::DomainError;
use crate::store::Store;

/// Approves or rejects the current revision of each value named; the values as they are
/// afterwards.
pub async fn review(
    store: &dyn Store,
    caller: &Caller,
    ids: &[String],
    decision: Decision,
    reason: Option<&str>,
) -> Result<Vec<Observation>, DomainError> {
    let principal = &caller.principal;
    if !principal.role.may_review() {
        return Err(DomainError::Forbidden("only the statistics office and admins review values".to_owned()));
    }
    let scope = caller.scope(store).await?;
    let (numbers, reason) = parse_request(ids, decision, reason)?;
    let found = store.observations_by_ids(&numbers, false).await?;
    let to_change = values_to_change(&numbers, &found, decision, |code| scope.allows(code))?;
    if !to_change.is_empty() {
        let action = match decision {
            Decision::Approve => AuditAction::Approve,
            Decision::Reject => AuditAction::Reject,
        };
        let mut audit =
            AuditEntry::new(&principal.subject, action, ids_target(&to_change), caller.request_id.as_deref());
        audit.rows = i64::try_from(to_change.len()).unwrap_or(i64::MAX);
        audit.detail = reason.map(str::to_owned);
        store.review_observations(&to_change, decision, &principal.subject, reason, &audit).await?;
    }
    Ok(store.observations_by_ids(&numbers, false).await?)
}
