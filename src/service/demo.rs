//! Demo data (`seed --demo`): the domain's synthetic values for every measured target of the
//! seeded plans, pushed in one push as the command line.

use std::collections::HashMap;

use super::push::{push, PushRequest};
use super::Actor;
use crate::domain::demo::{rows, DEMO_SUBJECT};
use crate::domain::indicators::Indicator;
use crate::domain::push::{ImportSummary, DEFAULT_MAX_ROWS};
use crate::domain::DomainError;
use crate::store::Store;

/// Pushes the demo values of every measured target of every seeded plan.
pub async fn load(store: &dyn Store) -> Result<ImportSummary, DomainError> {
    let indicators: HashMap<String, Indicator> =
        store.indicators().await?.into_iter().map(|i| (i.code.clone(), i)).collect();
    let plans = store.plans(None).await?;
    let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let objective_ids: Vec<i64> = store.objectives_by_plans(&plan_ids).await?.iter().map(|o| o.id).collect();
    let targets = store.targets_by_objectives(&objective_ids).await?;
    let rows = rows(&indicators, &targets);
    let request = PushRequest {
        total_rows: rows.len(),
        rows,
        row_numbers: Vec::new(),
        rejected_before: Vec::new(),
        dry_run: false,
        atomic: true,
        idempotency_key: None,
    };
    push(store, Actor::CommandLine { subject: DEMO_SUBJECT, agency_code: None }, request, DEFAULT_MAX_ROWS).await
}
