//! One DataLoader per relation. Each turns the keys gathered in one tick of a request into
//! one statement (`WHERE key IN …`), so the statements a request runs do not grow with the
//! number of plans, targets or assignments it returns.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use tokio::sync::OnceCell;

use crate::auth::{Principal, Scope};
use crate::domain::agencies::Agency;
use crate::domain::areas::Area;
use crate::domain::disclosure::{DisclosureRule, Table};
use crate::domain::indicators::Indicator;
use crate::domain::observations::{Observation, ObservationQuery, ObservationRevision};
use crate::domain::periods::Period;
use crate::domain::plans::{Assignment, Objective, Plan, ReportingDeadline, Target};
use crate::domain::progress::{measure, AreaGraph, Measured, Total, Totals};
use crate::domain::reporting::{agency_reports, AgencyReport, Duty};
use crate::store::{AreaFilter, Store, StoreError};

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

loader!(AreaByCode: String => one Area, areas_by_codes, |a| a.code.clone());
loader!(AreasByParent: String => many Area, areas_by_parents, |a| a.parent_code.clone().unwrap_or_default());
loader!(AgencyByCode: String => one Agency, agencies_by_codes, |a| a.code.clone());
loader!(IndicatorByCode: String => one Indicator, indicators_by_codes, |i| i.code.clone());
loader!(PlanByCode: String => one Plan, plans_by_codes, |p| p.code.clone());
loader!(PlansByParent: String => many Plan, plans_by_parents, |p| p.parent_code.clone().unwrap_or_default());
loader!(ObjectivesByPlan: i64 => many Objective, objectives_by_plans, |o| o.plan_id);
loader!(TargetsByObjective: i64 => many Target, targets_by_objectives, |t| t.objective_id);
loader!(AssignmentsByTarget: i64 => many Assignment, assignments_by_targets, |a| a.target_id);
loader!(DeadlinesByPlan: i64 => many ReportingDeadline, deadlines_by_plans, |d| d.plan_id);
loader!(HistoryByObservation: i64 => many ObservationRevision, revisions_by_observations, |r| r.observation_id);

/// Successor area codes of each predecessor.
pub struct SuccessorsOf(Arc<dyn Store>);

impl Loader<String> for SuccessorsOf {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Vec<String>>, LoadError> {
        let rows = self.0.successions_of(keys).await.map_err(Arc::new)?;
        let mut map: HashMap<String, Vec<String>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for s in rows {
            map.entry(s.predecessor_code).or_default().push(s.successor_code);
        }
        Ok(map)
    }
}

/// What to measure: an indicator in an area, in a period or the latest one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProgressKey {
    pub indicator_code: String,
    pub area_code: String,
    pub period: Option<String>,
}

/// Measures many targets at once: the area graph, the indicators and every total the
/// targets' areas may roll up from, in four statements whatever the number of targets.
/// Only values inside the caller's scope count: a roll-up that needs a value the caller may
/// not read is no value at all, so a neighbour's figure never leaks through a succession.
pub struct MeasureProgress {
    store: Arc<dyn Store>,
    principal: Principal,
    scope: Arc<OnceCell<Scope>>,
}

impl Loader<ProgressKey> for MeasureProgress {
    type Value = Measured;
    type Error = LoadError;

    async fn load(&self, keys: &[ProgressKey]) -> Result<HashMap<ProgressKey, Measured>, LoadError> {
        let scope =
            self.scope.get_or_try_init(|| Scope::of(&self.principal, self.store.as_ref())).await.map_err(Arc::new)?;
        let areas = self.store.areas(AreaFilter::default()).await.map_err(Arc::new)?;
        let successions = self.store.successions().await.map_err(Arc::new)?;
        let graph = AreaGraph::new(areas, successions);
        let indicator_codes: Vec<String> =
            keys.iter().map(|k| k.indicator_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let family: Vec<String> = keys
            .iter()
            .flat_map(|k| graph.family(&k.area_code))
            .filter(|code| scope.allows(code))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let indicators = self.store.indicators_by_codes(&indicator_codes).await.map_err(Arc::new)?;
        let published_only = self.principal.role.reads_published_only();
        let rows = self.store.totals(&indicator_codes, &family, published_only).await.map_err(Arc::new)?;
        let mut totals: HashMap<String, Totals> = HashMap::new();
        for o in rows {
            let total = Total { value: o.value, numerator: o.numerator, denominator: o.denominator };
            totals.entry(o.key.indicator_code).or_default().insert((o.key.area_code, o.key.period), total);
        }
        let empty = Totals::new();
        let mut measured = HashMap::new();
        for key in keys {
            let Some(indicator) = indicators.iter().find(|i| i.code == key.indicator_code) else { continue };
            let period: Option<Period> = key.period.as_deref().and_then(|p| p.parse().ok());
            let series = totals.get(&key.indicator_code).unwrap_or(&empty);
            if let Some(m) = measure(&graph, series, indicator, &key.area_code, period.as_ref()) {
                measured.insert(key.clone(), m);
            }
        }
        Ok(measured)
    }
}

/// One table of values: an indicator in an area and period.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableKey {
    pub indicator_code: String,
    pub area_code: String,
    pub period: String,
}

/// Tables with the disclosure rule applied for partners, in two statements at most
/// whatever the number of tables.
pub struct TablesByKey {
    store: Arc<dyn Store>,
    published_only: bool,
    rule: DisclosureRule,
}

impl Loader<TableKey> for TablesByKey {
    type Value = Table;
    type Error = LoadError;

    async fn load(&self, keys: &[TableKey]) -> Result<HashMap<TableKey, Table>, LoadError> {
        let ids = keys.iter().map(|k| (k.indicator_code.as_str(), k.area_code.as_str(), k.period.as_str()));
        let mut tables =
            self.rule.read_tables(self.store.as_ref(), ids, self.published_only).await.map_err(Arc::new)?;
        Ok(keys
            .iter()
            .map(|k| {
                let id = (k.indicator_code.clone(), k.area_code.clone(), k.period.clone());
                (k.clone(), tables.remove(&id).unwrap_or_default())
            })
            .collect())
    }
}

/// A plan's reporting status for a period, due on a day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportKey {
    pub plan_id: i64,
    pub area_code: String,
    pub period: String,
    pub due_on: chrono::NaiveDate,
}

/// Reporting status of many plans in two statements: their duties, and the arrivals of
/// every indicator they name.
pub struct ReportsByPlan(Arc<dyn Store>);

impl Loader<ReportKey> for ReportsByPlan {
    type Value = Vec<AgencyReport>;
    type Error = LoadError;

    async fn load(&self, keys: &[ReportKey]) -> Result<HashMap<ReportKey, Vec<AgencyReport>>, LoadError> {
        let plan_ids: Vec<i64> = keys.iter().map(|k| k.plan_id).collect::<BTreeSet<_>>().into_iter().collect();
        let duties = self.0.duties_by_plans(&plan_ids).await.map_err(Arc::new)?;
        let indicators: Vec<String> =
            duties.iter().map(|d| d.indicator_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let areas: Vec<String> =
            keys.iter().map(|k| k.area_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let periods: Vec<String> = keys.iter().map(|k| k.period.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let arrivals = self.0.arrivals(&indicators, &areas, &periods).await.map_err(Arc::new)?;
        let now = chrono::Utc::now();
        Ok(keys
            .iter()
            .map(|k| {
                let plan_duties: Vec<Duty> = duties.iter().filter(|d| d.plan_id == k.plan_id).cloned().collect();
                let arrived: HashMap<String, chrono::DateTime<chrono::Utc>> = arrivals
                    .iter()
                    .filter(|a| a.area_code == k.area_code && a.period == k.period)
                    .map(|a| (a.indicator_code.clone(), a.first_reported_at))
                    .collect();
                (k.clone(), agency_reports(&plan_duties, &arrived, k.due_on, now))
            })
            .collect())
    }
}

/// One indicator's page of a read (`Indicator.observations`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub indicator_code: String,
    /// Everything else the page selects, the same for every indicator of a request.
    pub query: ObservationQuery,
}

/// Pages of many indicators in two statements for each distinct query (one, usually).
pub struct PagesByIndicator(Arc<dyn Store>);

impl Loader<PageKey> for PagesByIndicator {
    type Value = (Vec<Observation>, usize);
    type Error = LoadError;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, (Vec<Observation>, usize)>, LoadError> {
        let mut by_query: HashMap<&ObservationQuery, Vec<String>> = HashMap::new();
        for key in keys {
            by_query.entry(&key.query).or_default().push(key.indicator_code.clone());
        }
        let mut pages = HashMap::new();
        for (query, codes) in by_query {
            let (rows, totals) = self.0.observation_pages(&codes, query).await.map_err(Arc::new)?;
            let mut grouped: HashMap<String, Vec<Observation>> = HashMap::new();
            for o in rows {
                grouped.entry(o.key.indicator_code.clone()).or_default().push(o);
            }
            for code in codes {
                let total =
                    totals.iter().find(|(c, _)| *c == code).map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
                let rows = grouped.remove(&code).unwrap_or_default();
                pages.insert(PageKey { indicator_code: code, query: query.clone() }, (rows, total));
            }
        }
        Ok(pages)
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
    pub area: DataLoader<AreaByCode>,
    pub area_children: DataLoader<AreasByParent>,
    pub successors: DataLoader<SuccessorsOf>,
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
}

impl Loaders {
    /// `scope` is the request's, filled on first use by whoever needs it first.
    pub fn new(
        store: Arc<dyn Store>,
        principal: &Principal,
        scope: Arc<OnceCell<Scope>>,
        rule: DisclosureRule,
    ) -> Loaders {
        let published_only = principal.role.reads_published_only();
        fn dl<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
            // The batch runs in a task of its own: it takes the span of the resolver that
            // started it, so its store calls stay in the request's trace.
            DataLoader::new(loader, |batch| tokio::spawn(tracing::Instrument::in_current_span(batch)))
        }
        Loaders {
            area: dl(AreaByCode(store.clone())),
            area_children: dl(AreasByParent(store.clone())),
            successors: dl(SuccessorsOf(store.clone())),
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
            tables: dl(TablesByKey { store: store.clone(), published_only, rule }),
            progress: dl(MeasureProgress { store, principal: principal.clone(), scope }),
        }
    }
}
