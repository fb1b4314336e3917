//! One DataLoader per relation. Each turns the keys gathered in one tick of a request into
//! one statement (`WHERE key IN …`), or one batched read of the use-cases
//! (`service::reads`), so the statements a request runs do not grow with the number of
//! plans, targets or assignments it returns.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::domain::agencies::Agency;
use crate::domain::areas::{Area, AreaId, Succession};
use crate::domain::disclosure::Table;
use crate::domain::indicators::Indicator;
use crate::domain::observations::{Observation, ObservationRevision};
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::domain::progress::SexMeasured;
use crate::domain::reporting::AgencyReport;
use crate::service::cells::{self, Cell, CellKey};
pub use crate::service::reads::{PageKey, ProgressKey, ReportKey, TableKey};
use crate::service::{reads, Caller};
use crate::store::{Store, StoreError};

/// Loader errors must be `Clone`: one failure answers every key of the batch.
pub type LoadError = Arc<StoreError>;

/// Declares a loader whose key maps to at most one value (`by = one`) or to a list
/// (`by = many`, every requested key present, possibly empty).
macro_rules! loader {
    ($name:ident: $key:ty => one $value:ty, $fetch:ident, |$v:ident| $key_of:expr) => {
        pub struct $name(Arc<dyn Store>);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let rows = self.0.$fetch(keys).await.map_err(Arc::new)?;
                Ok(rows.into_iter().map(|$v| ($key_of, $v)).collect())
            }
        }
    };
    ($name:ident: $key:ty => many $value:ty, $fetch:ident, |$v:ident| $key_of:expr) => {
        pub struct $name(Arc<dyn Store>);

        impl Loader<$key> for $name {
            type Value = Vec<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$value>>, LoadError> {
                let rows = self.0.$fetch(keys).await.map_err(Arc::new)?;
                Ok(group(keys, rows, |$v: &$value| $key_of))
            }
        }
    };
}

loader!(AreaById: AreaId => one Area, areas_by_ids, |a| a.id);
loader!(AreasByParent: AreaId => many Area, areas_by_parents, |a| a.parent_id.unwrap_or_default());
loader!(AgencyByCode: String => one Agency, agencies_by_codes, |a| a.code.clone());
loader!(IndicatorByCode: String => one Indicator, indicators_by_codes, |i| i.code.clone());
loader!(PlanByCode: String => one Plan, plans_by_codes, |p| p.code.clone());
loader!(PlansByParent: String => many Plan, plans_by_parents, |p| p.parent_code.clone().unwrap_or_default());
loader!(ObjectivesByPlan: i64 => many Objective, objectives_by_plans, |o| o.plan_id);
loader!(TargetsByObjective: i64 => many Target, targets_by_objectives, |t| t.objective_id);
loader!(AssignmentsByTarget: i64 => many Assignment, assignments_by_targets, |a| a.target_id);
loader!(DeadlinesByPlan: i64 => many ReportingDeadline, deadlines_by_plans, |d| d.plan_id);
loader!(HistoryByObservation: i64 => many ObservationRevision, revisions_by_observations, |r| r.observation_id);

/// The boundary changes each unit took part in, as predecessor or successor.
pub struct SuccessionsOf(Arc<dyn Store>);

impl Loader<AreaId> for SuccessionsOf {
    type Value = Vec<Succession>;
    type Error = LoadError;

    async fn load(&self, keys: &[AreaId]) -> Result<HashMap<AreaId, Vec<Succession>>, LoadError> {
        let rows = self.0.successions_of(keys).await.map_err(Arc::new)?;
        let mut map: HashMap<AreaId, Vec<Succession>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for s in rows {
            for id in [s.predecessor_id, s.successor_id] {
                if let Some(list) = map.get_mut(&id) {
                    list.push(s.clone());
                }
            }
        }
        Ok(map)
    }
}

/// Progress toward targets, measured inside the caller's scope (`service::reads::progress`).
pub struct MeasureProgress {
    store: Arc<dyn Store>,
    caller: Caller,
}

impl Loader<ProgressKey> for MeasureProgress {
    type Value = Vec<SexMeasured>;
    type Error = LoadError;

    async fn load(&self, keys: &[ProgressKey]) -> Result<HashMap<ProgressKey, Vec<SexMeasured>>, LoadError> {
        let store = self.store.as_ref();
        let scope = self.caller.scope(store).await.map_err(Arc::new)?;
        reads::progress(store, scope, self.caller.reads_published_only(), keys).await.map_err(Arc::new)
    }
}

/// Tables as the caller reads them, with what is withheld from partners.
pub struct TablesByKey {
    store: Arc<dyn Store>,
    published_only: bool,
}

impl Loader<TableKey> for TablesByKey {
    type Value = Table;
    type Error = LoadError;

    async fn load(&self, keys: &[TableKey]) -> Result<HashMap<TableKey, Table>, LoadError> {
        reads::tables(self.store.as_ref(), self.published_only, keys).await.map_err(Arc::new)
    }
}

/// Cells as the caller reads them (`service::cells::fill`), for `Indicator.latest`.
pub struct CellsByKey {
    store: Arc<dyn Store>,
    caller: Caller,
}

impl Loader<CellKey> for CellsByKey {
    type Value = Cell;
    type Error = LoadError;

    async fn load(&self, keys: &[CellKey]) -> Result<HashMap<CellKey, Cell>, LoadError> {
        cells::fill(self.store.as_ref(), &self.caller, keys).await.map_err(Arc::new)
    }
}

/// Reporting status of plans for periods.
pub struct ReportsByPlan(Arc<dyn Store>);

impl Loader<ReportKey> for ReportsByPlan {
    type Value = Vec<AgencyReport>;
    type Error = LoadError;

    async fn load(&self, keys: &[ReportKey]) -> Result<HashMap<ReportKey, Vec<AgencyReport>>, LoadError> {
        reads::reporting_status(self.0.as_ref(), keys).await.map_err(Arc::new)
    }
}

/// Pages of many indicators' values (`Indicator.observations`).
pub struct PagesByIndicator(Arc<dyn Store>);

impl Loader<PageKey> for PagesByIndicator {
    type Value = (Vec<Observation>, usize);
    type Error = LoadError;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, (Vec<Observation>, usize)>, LoadError> {
        reads::pages(self.0.as_ref(), keys).await.map_err(Arc::new)
    }
}

fn group<K: Eq + Hash + Clone, V>(keys: &[K], rows: Vec<V>, key_of: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        map.entry(key_of(&row)).or_default().push(row);
    }
    map
}

pub struct Loaders {
    pub area: DataLoader<AreaById>,
    pub area_children: DataLoader<AreasByParent>,
    pub successions: DataLoader<SuccessionsOf>,
    pub agency: DataLoader<AgencyByCode>,
    pub indicator: DataLoader<IndicatorByCode>,
    pub plan: DataLoader<PlanByCode>,
    pub plan_children: DataLoader<PlansByParent>,
    pub objectives: DataLoader<ObjectivesByPlan>,
    pub targets: DataLoader<TargetsByObjective>,
    pub assignments: DataLoader<AssignmentsByTarget>,
    pub deadlines: DataLoader<DeadlinesByPlan>,
    pub history: DataLoader<HistoryByObservation>,
    pub progress: DataLoader<MeasureProgress>,
    pub tables: DataLoader<TablesByKey>,
    pub reports: DataLoader<ReportsByPlan>,
    pub pages: DataLoader<PagesByIndicator>,
    pub cells: DataLoader<CellsByKey>,
}

impl Loaders {
    /// `caller` is the request's: its scope is read once, by whoever needs it first.
    pub fn new(store: Arc<dyn Store>, caller: &Caller) -> Loaders {
        let published_only = caller.reads_published_only();
        fn dl<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
            // The batch runs in a task of its own: it takes the span of the resolver that
            // started it, so its store calls stay in the request's trace.
            DataLoader::new(loader, |batch| tokio::spawn(tracing::Instrument::in_current_span(batch)))
        }
        Loaders {
            area: dl(AreaById(store.clone())),
            area_children: dl(AreasByParent(store.clone())),
            successions: dl(SuccessionsOf(store.clone())),
            agency: dl(AgencyByCode(store.clone())),
            indicator: dl(IndicatorByCode(store.clone())),
            plan: dl(PlanByCode(store.clone())),
            plan_children: dl(PlansByParent(store.clone())),
            objectives: dl(ObjectivesByPlan(store.clone())),
            targets: dl(TargetsByObjective(store.clone())),
            assignments: dl(AssignmentsByTarget(store.clone())),
            deadlines: dl(DeadlinesByPlan(store.clone())),
            history: dl(HistoryByObservation(store.clone())),
            reports: dl(ReportsByPlan(store.clone())),
            pages: dl(PagesByIndicator(store.clone())),
            tables: dl(TablesByKey { store: store.clone(), published_only }),
            cells: dl(CellsByKey { store: store.clone(), caller: caller.clone() }),
            progress: dl(MeasureProgress { store, caller: caller.clone() }),
        }
    }
}
