//! Review (thẩm định) by the statistics office: which values a decision may take, and which
//! of them it changes.

use super::observations::{Decision, Observation, ObservationStatus};
use super::DomainError;

/// Largest number of values one review call takes.
pub const MAX_REVIEW_IDS: usize = 1_000;

/// The observation ids a review names, sorted and once each, and its reason trimmed:
/// BAD_USER_INPUT for no ids, too many, an id that is not a number, or a rejection that
/// does not say why.
pub fn parse_request<'a>(
    ids: &[String],
    decision: Decision,
    reason: Option<&'a str>,
) -> Result<(Vec<i64>, Option<&'a str>), DomainError> {
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
    Ok((numbers, reason))
}

/// The ids among `found` the decision changes: NOT_FOUND for an id not found, FORBIDDEN
/// for a value outside the reviewer's reach, BAD_USER_INPUT for approving a rejected value
/// (only a new push of it can be approved). Deciding again what was already decided
/// changes nothing, not even who decided it.
pub fn values_to_change(
    numbers: &[i64],
    found: &[Observation],
    decision: Decision,
    in_reach: impl Fn(super::areas::AreaId) -> bool,
) -> Result<Vec<i64>, DomainError> {
    if let Some(missing) = numbers.iter().find(|n| !found.iter().any(|o| o.id == **n)) {
        return Err(DomainError::not_found("observation", missing.to_string()));
    }
    if let Some(outside) = found.iter().find(|o| !in_reach(o.key.area_id)) {
        // Not its area code: the caller may not read it.
        return Err(DomainError::Forbidden(format!("observation {} is outside your area", outside.id)));
    }
    if decision == Decision::Approve {
        if let Some(rejected) = found.iter().find(|o| o.status == ObservationStatus::Rejected) {
            return Err(DomainError::bad_input(
                "ids",
                format!("observation {} was rejected; push a corrected value to review it again", rejected.id),
            ));
        }
    }
    let target = match decision {
        Decision::Approve => ObservationStatus::Approved,
        Decision::Reject => ObservationStatus::Rejected,
    };
    Ok(found.iter().filter(|o| o.status != target).map(|o| o.id).collect())
}
