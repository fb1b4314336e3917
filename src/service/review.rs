//! Review (thẩm định): the statistics office of an area, or the administrator, approves or
//! rejects submitted values; each decision is in the audit log with its reason. Approving a
//! value of a sensitive indicator decides again what partners are shown of its year.

use super::disclosure::settle_approved;
use super::Caller;
use crate::domain::audit::{ids_target, AuditAction, AuditEntry};
use crate::domain::disclosure::DisclosureRule;
use crate::domain::observations::{Decision, Observation};
use crate::domain::review::{parse_request, values_to_change};
use crate::domain::DomainError;
use crate::store::Store;

/// Approves or rejects the current revision of each value named; the values as they are
/// afterwards.
pub async fn review(
    store: &dyn Store,
    caller: &Caller,
    rule: &DisclosureRule,
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
        if decision == Decision::Approve {
            let approved: Vec<Observation> = found.into_iter().filter(|o| to_change.contains(&o.id)).collect();
            // Until decided, the new figures are withheld from partners: a failure here
            // loses nothing, and the next approval of the year, or the next start, decides.
            if let Err(error) = settle_approved(store, rule, &approved).await {
                tracing::error!(%error, "approved, but what partners are shown is not decided yet");
            }
        }
    }
    Ok(store.observations_by_ids(&numbers, false).await?)
}
