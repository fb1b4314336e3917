//! Review (thẩm định) by the statistics office: approve or reject submitted values.

use super::audit::{ids_target, AuditAction, AuditEntry};
use super::observations::{Decision, Observation, ObservationStatus};
use super::DomainError;
use crate::store::Store;

pub struct Reviewer<'a> {
    pub subject: &'a str,
    pub in_reach: &'a (dyn Fn(&str) -> bool + Send + Sync),
    /// The request the review came in, for the audit log.
    pub request_id: Option<&'a str>,
}

/// Largest number of values one review call takes.
pub const MAX_REVIEW_IDS: usize = 1_000;

pub async fn review(
    store: &dyn Store,
    reviewer: &Reviewer<'_>,
    ids: &[String],
    decision: Decision,
    reason: Option<&str>,
) -> Result<Vec<Observation>, DomainError> {
    if ids.is_empty() {
        return Err(DomainError::bad_input("ids", "name at least one observation"));
    }
    if ids.len() > MAX_REVIEW_IDS {
        return Err(DomainError::bad_input("ids", format!("at most {MAX_REVIEW_IDS} observations at a time")));
    }
    let reason = reason.map(str::trim);
    if decision == Decision::Reject && reason.is_none_or(str::is_empty) {
        return Err(DomainError::bad_input("reason", "say why the values are rejected"));
    }
    let mut numbers = Vec::with_capacity(ids.len());
    for id in ids {
        let n: i64 =
            id.parse().map_err(|_| DomainError::bad_input("ids", format!("`{id}` is not an observation id")))?;
        numbers.push(n);
    }
    numbers.sort_unstable();
    numbers.dedup();
    let found = store.observations_by_ids(&numbers, false).await?;
    if let Some(missing) = numbers.iter().find(|n| !found.iter().any(|o| o.id == **n)) {
        return Err(DomainError::not_found("observation", missing.to_string()));
    }
    if let Some(outside) = found.iter().find(|o| !(reviewer.in_reach)(&o.key.area_code)) {
        // Not its area code: the caller may not read it.
        return Err(DomainError::Forbidden(format!("observation {} is outside your area", outside.id)));
    }
    // A rejected value was judged wrong: only a new push of it can be approved.
    if decision == Decision::Approve {
        if let Some(rejected) = found.iter().find(|o| o.status == ObservationStatus::Rejected) {
            return Err(DomainError::bad_input(
                "ids",
                format!("observation {} was rejected; push a corrected value to review it again", rejected.id),
            ));
        }
    }
    // Deciding again what was already decided changes nothing, not even who decided it.
    let target = match decision {
        Decision::Approve => ObservationStatus::Approved,
        Decision::Reject => ObservationStatus::Rejected,
    };
    let to_change: Vec<i64> = found.iter().filter(|o| o.status != target).map(|o| o.id).collect();
    if !to_change.is_empty() {
        let action = match decision {
            Decision::Approve => AuditAction::Approve,
            Decision::Reject => AuditAction::Reject,
        };
        let mut audit = AuditEntry::new(reviewer.subject, action, ids_target(&to_change), reviewer.request_id);
        audit.rows = i64::try_from(to_change.len()).unwrap_or(i64::MAX);
        audit.detail = reason.map(str::to_owned);
        store.review_observations(&to_change, decision, reviewer.subject, reason, &audit).await?;
    }
    Ok(store.observations_by_ids(&numbers, false).await?)
}
