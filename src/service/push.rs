//! A push (đẩy số liệu), from GraphQL, the CSV feed, `import` or `seed --demo`: who may
//! push where, then validate every row and write the good ones in one transaction, or none
//! of them when the push is atomic and a row is bad.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;

use super::access::units_named;
use super::Actor;
use crate::auth::{Principal, Role, Scope};
use crate::domain::areas::{Area, AreaId};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::observations::{validate, ImportError, ImportErrorCode, ObservationInput, PushRules};
use crate::domain::push::ImportSummary;
use crate::domain::DomainError;
use crate::store::{ObservationWrite, Receipt, Store, WriteCounts, WriteOutcome};

/// How many unknown codes of one push are looked up as names: a file of names gets its
/// hints for the first few, and plain UNKNOWN_AREA for the rest.
const NAMES_LOOKED_UP: usize = 20;

/// Who pushes, and how far they reach.
struct Pusher<'a> {
    subject: &'a str,
    agency_code: Option<&'a str>,
    /// Agency reporters push only indicators their agency is assigned to.
    only_assigned: bool,
    scope: &'a Scope,
    /// The request the push came in, for the audit log.
    request_id: Option<&'a str>,
}

pub struct PushRequest {
    pub rows: Vec<ObservationInput>,
    /// The row number of each row, when rows were dropped before (unreadable CSV lines);
    /// empty means 1, 2, 3…
    pub row_numbers: Vec<usize>,
    /// Rows already found bad before validation (unreadable CSV lines), and how many rows
    /// the push held in all.
    pub rejected_before: Vec<ImportError>,
    pub total_rows: usize,
    pub dry_run: bool,
    /// One bad row and nothing is written.
    pub atomic: bool,
    pub idempotency_key: Option<String>,
}

/// The summary of a push that wrote `counts` and found `errors`.
fn summarise(dry_run: bool, counts: WriteCounts, errors: Vec<ImportError>) -> ImportSummary {
    let rejected = errors.iter().map(|e| e.row).collect::<BTreeSet<_>>().len();
    ImportSummary {
        dry_run,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        rejected,
        errors,
        replayed: false,
    }
}

/// Pushes values as `actor`: the statistics office any indicator in its area, an agency
/// reporter only the indicators its agency is assigned to, the command line anything
/// anywhere (as the statistics office of the whole country would). At most `max_rows`.
pub async fn push(
    store: &dyn Store,
    actor: Actor<'_>,
    request: PushRequest,
    max_rows: usize,
) -> Result<ImportSummary, DomainError> {
    let everywhere = Scope::All;
    let pusher = match actor {
        Actor::Token(caller) => {
            let principal = &caller.principal;
            may_push(principal)?;
            Pusher {
                subject: &principal.subject,
                agency_code: principal.agency_code.as_deref(),
                only_assigned: principal.role == Role::AgencyReporter,
                scope: caller.scope(store).await?,
                request_id: caller.request_id.as_deref(),
            }
        }
        Actor::CommandLine { subject, agency_code } => {
            if let Some(code) = agency_code {
                agency_exists(store, code).await?;
            }
            Pusher { subject, agency_code, only_assigned: false, scope: &everywhere, request_id: None }
        }
    };
    write(store, &pusher, request, max_rows).await
}

/// BAD_USER_INPUT unless the agency values are pushed for exists.
pub async fn agency_exists(store: &dyn Store, code: &str) -> Result<(), DomainError> {
    if store.agencies_by_codes(&[code.to_owned()]).await?.is_empty() {
        return Err(DomainError::bad_input("agencyCode", format!("no agency `{code}`")));
    }
    Ok(())
}

/// FORBIDDEN for a role that may not push: checked by `push`, and by the CSV feed before it
/// reads a body it would refuse anyway.
pub fn may_push(principal: &Principal) -> Result<(), DomainError> {
    if principal.role.may_push() {
        Ok(())
    } else {
        Err(DomainError::Forbidden("your role may not push values".to_owned()))
    }
}

async fn write(
    store: &dyn Store,
    pusher: &Pusher<'_>,
    request: PushRequest,
    max_rows: usize,
) -> Result<ImportSummary, DomainError> {
    let key = request.idempotency_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if let (Some(key), false) = (key, request.dry_run) {
        if let Some(summary) = store.push_receipt(pusher.subject, key).await? {
            return parse_receipt(&summary);
        }
    }
    let total_rows = request.total_rows.max(request.rows.len());
    if total_rows > max_rows {
        let error = ImportError {
            row: max_rows + 1,
            field: None,
            code: ImportErrorCode::TooManyRows,
            message: format!("{total_rows} rows: a push holds at most {max_rows}; split it"),
        };
        let mut summary = summarise(request.dry_run, WriteCounts::default(), vec![error]);
        summary.rejected = total_rows;
        return refused(store, pusher, summary, total_rows).await;
    }

    let indicators: HashMap<_, _> = store.indicators().await?.into_iter().map(|i| (i.code.clone(), i)).collect();
    let area_codes: Vec<String> =
        request.rows.iter().map(|r| r.area_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut holders: HashMap<String, Vec<Area>> = HashMap::new();
    for a in store.areas_by_codes(&area_codes).await? {
        holders.entry(a.code.clone()).or_default().push(a);
    }
    let unit_ids: Vec<AreaId> = holders.values().flatten().map(|a| a.id).collect();
    let ancestors: HashMap<AreaId, Area> = if pusher.only_assigned {
        store.areas_with_ancestors(&unit_ids).await?.into_iter().map(|a| (a.id, a)).collect()
    } else {
        HashMap::new()
    };
    // A code that names no unit may be a name: say which units it names.
    let unknown: Vec<String> =
        area_codes.iter().filter(|c| !holders.contains_key(*c)).take(NAMES_LOOKED_UP).cloned().collect();
    let named = units_named(store, &unknown).await?;
    let assigned: Option<HashSet<(String, AreaId)>> = match (pusher.only_assigned, pusher.agency_code) {
        (false, _) => None,
        (true, Some(agency)) => Some(store.agency_assignments(agency).await?.into_iter().collect()),
        (true, None) => Some(HashSet::new()),
    };
    let in_reach = |id: AreaId| pusher.scope.allows(id);
    let rules = PushRules {
        indicators: &indicators,
        holders: &holders,
        ancestors: &ancestors,
        named: &named,
        in_reach: &in_reach,
        assigned: assigned.as_ref(),
    };
    let (mut valid, mut errors) = validate(request.rows, &rules);
    if !request.row_numbers.is_empty() {
        let number = |row: usize| request.row_numbers.get(row - 1).copied().unwrap_or(row);
        valid.iter_mut().for_each(|v| v.row = number(v.row));
        errors.iter_mut().for_each(|e| e.row = number(e.row));
    }
    errors.extend(request.rejected_before);
    errors.sort_by_key(|e| e.row);

    if request.atomic && !errors.is_empty() {
        // Refused whole, and no receipt kept: the push can be corrected and sent again
        // under the same key.
        let summary = summarise(request.dry_run, WriteCounts::default(), errors);
        return refused(store, pusher, summary, total_rows).await;
    }
    let summary_of =
        |counts: &WriteCounts| serde_json::to_string(&summarise(false, *counts, errors.clone())).unwrap_or_default();
    let outcome = store
        .write_observations(ObservationWrite {
            rows: &valid,
            reported_by: pusher.subject,
            source_agency: pusher.agency_code,
            reported_at: Utc::now(),
            dry_run: request.dry_run,
            receipt: key.map(|key| Receipt { key, summary: &summary_of }),
            audit: &|counts: &WriteCounts| {
                let mut entry = AuditEntry::new(pusher.subject, AuditAction::Push, "observations", pusher.request_id);
                entry.rows = i64::try_from(counts.created + counts.updated + counts.unchanged).unwrap_or(i64::MAX);
                entry.detail = Some(format!(
                    "created {}, updated {}, unchanged {}, rejected {}",
                    counts.created,
                    counts.updated,
                    counts.unchanged,
                    errors.iter().map(|e| e.row).collect::<BTreeSet<_>>().len()
                ));
                entry
            },
        })
        .await?;
    match outcome {
        WriteOutcome::Written(counts) => Ok(summarise(request.dry_run, counts, errors)),
        WriteOutcome::AlreadySeen(summary) => parse_receipt(&summary),
    }
}

/// A push refused whole writes no value but is recorded all the same: an agency pushing
/// outside its area or its assignments is what a reviewer of the log looks for. A dry run
/// records nothing. The pusher gets its errors even when the entry cannot be written (it
/// records that nothing happened; the server log keeps it then).
async fn refused(
    store: &dyn Store,
    pusher: &Pusher<'_>,
    summary: ImportSummary,
    total_rows: usize,
) -> Result<ImportSummary, DomainError> {
    if summary.dry_run {
        return Ok(summary);
    }
    let codes: BTreeSet<&str> = summary.errors.iter().map(|e| e.code.as_str()).collect();
    let mut entry = AuditEntry::new(pusher.subject, AuditAction::Push, "observations", pusher.request_id);
    entry.detail = Some(format!(
        "refused whole: {} of {total_rows} rows rejected ({})",
        summary.rejected,
        codes.into_iter().collect::<Vec<_>>().join(", ")
    ));
    if let Err(e) = store.record_audit(&entry).await {
        tracing::error!(error = %e, actor = %entry.actor, detail = ?entry.detail, "cannot record a refused push");
    }
    Ok(summary)
}

fn parse_receipt(summary: &str) -> Result<ImportSummary, DomainError> {
    let summary: Result<ImportSummary, _> = serde_json::from_str(summary);
    summary
        .map(|s| ImportSummary { replayed: true, ..s })
        .map_err(|e| DomainError::internal(format!("push receipt: {e}")))
}
