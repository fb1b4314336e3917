//! Demo data (`seed --demo`): the domain's synthetic values for every measured target of the
//! seeded plans, pushed in one push as the command line, only for keys that hold no value.

use std::collections::{HashMap, HashSet};

use super::push::{push, PushRequest};
use super::Actor;
use crate::domain::demo::{for_empty_keys, rows, written_key, WrittenKey, DEMO_SUBJECT};
use crate::domain::indicators::Indicator;
use crate::domain::observations::{After, ObservationQuery};
use crate::domain::plans::Target;
use crate::domain::push::{ImportSummary, DEFAULT_MAX_ROWS};
use crate::domain::DomainError;
use crate::store::{Store, StoreError};

/// What a demo load did: its push, and how many demo values were not written because their
/// key already held a value.
#[derive(Debug)]
pub struct DemoSummary {
    pub push: ImportSummary,
    pub skipped: usize,
}

/// Values read per statement while looking for keys that are taken.
const PAGE: usize = 5_000;

/// Pushes the demo values of every measured target of every seeded plan whose key holds no
/// value, whatever its status.
pub async fn load(store: &dyn Store) -> Result<DemoSummary, DomainError> {
    let indicators: HashMap<String, Indicator> =
        store.indicators().await?.into_iter().map(|i| (i.code.clone(), i)).collect();
    let plans = store.plans(None).await?;
    let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let objective_ids: Vec<i64> = store.objectives_by_plans(&plan_ids).await?.iter().map(|o| o.id).collect();
    let targets = store.targets_by_objectives(&objective_ids).await?;
    let all = rows(&indicators, &targets);
    let held = held_keys(store, &targets).await?;
    let (rows, skipped) = for_empty_keys(all, &held);
    if rows.is_empty() {
        // Nothing to write: no push, and no push in the audit log.
        return Ok(DemoSummary { push: ImportSummary::default(), skipped });
    }
    let request = PushRequest {
        total_rows: rows.len(),
        rows,
        row_numbers: Vec::new(),
        rejected_before: Vec::new(),
        dry_run: false,
        atomic: true,
        idempotency_key: None,
    };
    let actor = Actor::CommandLine { subject: DEMO_SUBJECT, agency_code: None };
    let push = push(store, actor, request, DEFAULT_MAX_ROWS).await?;
    Ok(DemoSummary { push, skipped })
}

/// The keys that hold a value (any status) under the codes of the targets' areas, read
/// page by page.
async fn held_keys(store: &dyn Store, targets: &[Target]) -> Result<HashSet<WrittenKey>, StoreError> {
    let mut codes: Vec<String> = targets.iter().map(|t| t.plan_area_code.clone()).collect();
    codes.sort_unstable();
    codes.dedup();
    let units: Vec<i64> = store.areas_by_codes(&codes).await?.iter().map(|a| a.id).collect();
    let mut query = ObservationQuery { area_ids: Some(units), limit: PAGE, ..ObservationQuery::default() };
    let mut held = HashSet::new();
    loop {
        let (page, _) = store.observations(&query).await?;
        held.extend(page.iter().map(|o| written_key(&o.key)));
        match page.last() {
            Some(last) if page.len() == PAGE => query.after = Some(After::value(last, query.order)),
            _ => return Ok(held),
        }
    }
}
