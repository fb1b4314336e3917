//! Reads as a caller may see them: which values a selection covers inside the caller's
//! area, the tables with the cells withheld from partners as decided (the published
//! view), progress toward targets rolled up from the areas the caller reaches, and plans'
//! reporting status. The batched ones take many keys at once and answer in a fixed number
//! of statements, so GraphQL's loaders and the CSV export both call them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::access::{areas_to_read, Caller};
use crate::auth::Scope;
use crate::domain::areas::AreaId;
use crate::domain::disclosure::{self, Table, TableId};
use crate::domain::observations::{Observation, ObservationOrder, ObservationQuery, ObservationStatus, Sex};
use crate::domain::periods::Period;
use crate::domain::plans::SexScope;
use crate::domain::progress::{measure_by_sex, AreaGraph, SexMeasured, Total, TotalsBySex};
use crate::domain::reporting::{agency_reports, AgencyReport, Duty};
use crate::domain::DomainError;
use crate::store::{Store, StoreError};

/// Which observations to read, as a filter writes it: every condition given must hold.
/// Each of indicator, area and period may be named once or by a list (periods also by a
/// range), not both ways at once.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub indicator_code: Option<String>,
    pub indicator_codes: Option<Vec<String>>,
    pub area_code: Option<String>,
    pub area_codes: Option<Vec<String>>,
    /// With area codes: also the areas below them.
    pub include_descendants: bool,
    pub period: Option<String>,
    pub periods: Option<Vec<String>>,
    /// A range of periods of one kind, both ends included.
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub sex: Option<Sex>,
    pub status: Option<ObservationStatus>,
    pub order: ObservationOrder,
}

/// A period named in an argument: BAD_USER_INPUT naming the argument when it is not one.
pub fn period_argument(argument: &str, period: &str) -> Result<Period, DomainError> {
    period.parse().map_err(|e: crate::domain::periods::BadPeriod| DomainError::bad_input(argument, e.to_string()))
}

/// One condition given once or as a list: BAD_USER_INPUT when given both ways, or as an
/// empty list (which would select nothing, surely not what was meant).
fn one_or_list(
    prefix: &str,
    (one_name, one): (&str, Option<String>),
    (list_name, list): (&str, Option<Vec<String>>),
) -> Result<Option<Vec<String>>, DomainError> {
    match (one, list) {
        (Some(_), Some(_)) => Err(DomainError::bad_input(
            format!("{prefix}{list_name}"),
            format!("give {one_name} or {list_name}, not both"),
        )),
        (None, Some(list)) if list.is_empty() => {
            Err(DomainError::bad_input(format!("{prefix}{list_name}"), "an empty list selects nothing; leave it out"))
        }
        (Some(one), None) => Ok(Some(vec![one])),
        (None, list) => Ok(list),
    }
}

/// The periods a selection names, checked: one, a list, or a range, each a period.
fn selected_periods(prefix: &str, selection: &mut Selection) -> Result<Option<Vec<Period>>, DomainError> {
    let listed = one_or_list(prefix, ("period", selection.period.take()), ("periods", selection.periods.take()))?;
    let range = match (selection.period_from.take(), selection.period_to.take()) {
        (None, None) => None,
        (Some(from), Some(to)) => Some((from, to)),
        (from, _) => {
            let missing = if from.is_some() { "periodTo" } else { "periodFrom" };
            return Err(DomainError::bad_input(format!("{prefix}{missing}"), "a range needs periodFrom and periodTo"));
        }
    };
    match (listed, range) {
        (Some(_), Some(_)) => Err(DomainError::bad_input(
            format!("{prefix}periodFrom"),
            "give a period, a list or a range, not two of them",
        )),
        (Some(list), None) => {
            let argument = if list.len() == 1 { "period" } else { "periods" };
            list.iter().map(|p| period_argument(&format!("{prefix}{argument}"), p)).collect::<Result<_, _>>().map(Some)
        }
        (None, Some((from, to))) => {
            let from = period_argument(&format!("{prefix}periodFrom"), &from)?;
            let to = period_argument(&format!("{prefix}periodTo"), &to)?;
            Period::range(from, to)
                .map(Some)
                .map_err(|e| DomainError::bad_input(format!("{prefix}periodTo"), e.to_string()))
        }
        (None, None) => Ok(None),
    }
}

/// What a selection covers inside the caller's area, as a query with no page yet:
/// BAD_USER_INPUT for a bad period or a condition given twice (naming the argument, after
/// `argument_prefix`: `filter.` in GraphQL), NOT_FOUND or FORBIDDEN for an unknown or
/// unreachable area. Partners read the published revisions.
pub async fn select(
    store: &dyn Store,
    caller: &Caller,
    mut selection: Selection,
    argument_prefix: &str,
) -> Result<ObservationQuery, DomainError> {
    let prefix = argument_prefix;
    let indicator_codes = one_or_list(
        prefix,
        ("indicatorCode", selection.indicator_code.take()),
        ("indicatorCodes", selection.indicator_codes.take()),
    )?;
    let area_codes =
        one_or_list(prefix, ("areaCode", selection.area_code.take()), ("areaCodes", selection.area_codes.take()))?;
    let periods = selected_periods(prefix, &mut selection)?;
    // One period names the unit that held each code then; over several, every holder.
    let only_period = match periods.as_deref() {
        Some([one]) => Some(*one),
        _ => None,
    };
    let area_codes = area_codes.unwrap_or_default();
    let area_ids =
        areas_to_read(store, caller, &area_codes, selection.include_descendants, only_period.as_ref()).await?;
    Ok(ObservationQuery {
        indicator_codes,
        area_ids,
        periods: periods.map(|ps| ps.iter().map(ToString::to_string).collect()),
        sex: selection.sex,
        status: selection.status,
        published_only: caller.reads_published_only(),
        order: selection.order,
        after: None,
        limit: 0,
        counted: false,
    })
}

/// One table of values: an indicator in an area and period.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableKey {
    pub indicator_code: String,
    pub area_id: AreaId,
    pub period: String,
}

/// The tables named, as the caller reads them: for partners (`published_only`) the last
/// approved values with the disclosure rule applied; for internal roles every figure, rejected
/// values left out. Two statements at most, whatever the number of tables; a table with no
/// values is empty.
pub async fn tables(
    store: &dyn Store,
    published_only: bool,
    keys: &[TableKey],
) -> Result<HashMap<TableKey, Table>, StoreError> {
    let ids = keys.iter().map(|k| (k.indicator_code.as_str(), k.area_id, k.period.as_str()));
    let mut tables = read_tables(store, ids, published_only).await?;
    Ok(keys
        .iter()
        .map(|k| {
            let id = (k.indicator_code.clone(), k.area_id, k.period.clone());
            (k.clone(), tables.remove(&id).unwrap_or_default())
        })
        .collect())
}

/// The ids of the values among `page` that partners may not see: every sensitive table the
/// page touches is read whole (a table reaches past a page). Nothing for internal roles.
pub async fn withheld_in(
    store: &dyn Store,
    published_only: bool,
    sensitive: &BTreeSet<String>,
    page: &[Observation],
) -> Result<std::collections::HashSet<i64>, StoreError> {
    if !published_only {
        return Ok(Default::default());
    }
    let ids = page
        .iter()
        .filter(|o| sensitive.contains(&o.key.indicator_code))
        .map(|o| (o.key.indicator_code.as_str(), o.key.area_id, o.key.period.as_str()));
    let tables = read_tables(store, ids, true).await?;
    Ok(tables.into_values().flat_map(|t| t.suppressed).collect())
}

/// Reads the tables named, in one statement for the values and, for partners, one for the
/// indicators and, when any is sensitive, one for which of their figures were released.
async fn read_tables<'a>(
    store: &dyn Store,
    ids: impl Iterator<Item = (&'a str, AreaId, &'a str)>,
    published_only: bool,
) -> Result<BTreeMap<TableId, Table>, StoreError> {
    let (mut indicators, mut areas, mut periods) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for (indicator, area, period) in ids {
        indicators.insert(indicator.to_owned());
        areas.insert(area);
        periods.insert(period.to_owned());
    }
    if indicators.is_empty() {
        return Ok(BTreeMap::new());
    }
    let list = |set: BTreeSet<String>| -> Vec<String> { set.into_iter().collect() };
    let indicators = list(indicators);
    let areas: Vec<AreaId> = areas.into_iter().collect();
    let cells = store.tables(&indicators, &areas, &list(periods), published_only).await?;
    if !published_only {
        return Ok(disclosure::tables(&[], cells, None));
    }
    let known = store.indicators_by_codes(&indicators).await?;
    let sensitive: Vec<(i64, i32)> = cells
        .iter()
        .filter(|o| known.iter().any(|i| i.sensitive && i.code == o.key.indicator_code))
        .map(|o| (o.id, o.revision))
        .collect();
    let released = if sensitive.is_empty() { Default::default() } else { store.released(&sensitive).await? };
    Ok(disclosure::tables(&known, cells, Some(&released)))
}

/// What to measure: an indicator in a unit, in a period or the latest one, on the sexes a
/// target is measured on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProgressKey {
    pub indicator_code: String,
    pub area_id: AreaId,
    pub period: Option<String>,
    pub measured_on: SexScope,
}

/// Measures many targets at once: the units around theirs, the indicators and every value
/// the targets' units may be compiled from, in a fixed number of statements whatever the
/// number of targets.
/// Only values inside the caller's scope count: a compilation that needs a value the caller
/// may not read is no value at all, so a neighbour's figure never leaks through a succession.
/// Each key has one entry per sex it is measured on, with a value or none.
pub async fn progress(
    store: &dyn Store,
    scope: &Scope,
    published_only: bool,
    keys: &[ProgressKey],
) -> Result<HashMap<ProgressKey, Vec<SexMeasured>>, StoreError> {
    let roots: Vec<AreaId> = keys.iter().map(|k| k.area_id).collect::<BTreeSet<_>>().into_iter().collect();
    let graph = graph_around(store, &roots).await?;
    let indicator_codes: Vec<String> =
        keys.iter().map(|k| k.indicator_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let family: Vec<AreaId> = graph.wanted(&roots).into_iter().filter(|id| scope.allows(*id)).collect();
    let sexes: Vec<Sex> =
        keys.iter().flat_map(|k| k.measured_on.sexes()).copied().collect::<BTreeSet<_>>().into_iter().collect();
    let indicators = store.indicators_by_codes(&indicator_codes).await?;
    // A key with its period needs that period's values only (own or compiled, in the same
    // period); one asking for the latest needs them all.
    let periods: Option<Vec<String>> = keys
        .iter()
        .map(|k| k.period.clone())
        .collect::<Option<BTreeSet<String>>>()
        .map(|set| set.into_iter().collect());
    let rows = store.totals(&indicator_codes, &family, &sexes, periods.as_deref(), published_only).await?;
    let mut totals: HashMap<String, TotalsBySex> = HashMap::new();
    for o in rows {
        let total = Total { value: o.value, numerator: o.numerator, denominator: o.denominator };
        let by_sex = totals.entry(o.key.indicator_code).or_default();
        by_sex.entry(o.key.sex).or_default().insert((o.key.area_id, o.key.period), total);
    }
    let empty = TotalsBySex::new();
    let mut measured = HashMap::new();
    for key in keys {
        let Some(indicator) = indicators.iter().find(|i| i.code == key.indicator_code) else { continue };
        let period: Option<Period> = key.period.as_deref().and_then(|p| p.parse().ok());
        let series = totals.get(&key.indicator_code).unwrap_or(&empty);
        let by_sex = measure_by_sex(&graph, series, indicator, key.measured_on, key.area_id, period.as_ref());
        measured.insert(key.clone(), by_sex);
    }
    Ok(measured)
}

/// The units a compilation for `roots` may need (`domain::progress`): what the roots reach
/// (the units under them and those they took over whole, all the way down), the units
/// that succeeded any of those, and every boundary change of both. Five statements,
/// whatever the roots, each reading only the rows it returns.
pub(super) async fn graph_around(store: &dyn Store, roots: &[AreaId]) -> Result<AreaGraph, StoreError> {
    let down = store.area_reach(roots).await?;
    let mut links = store.successions_of(&down).await?;
    let reached: BTreeSet<AreaId> = down.iter().copied().collect();
    let successors: Vec<AreaId> = links
        .iter()
        .filter(|s| reached.contains(&s.predecessor_id) && !reached.contains(&s.successor_id))
        .map(|s| s.successor_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    links.extend(store.successions_of(&successors).await?);
    let mut areas = store.areas_by_ids(&down).await?;
    areas.extend(store.areas_by_ids(&successors).await?);
    Ok(AreaGraph::new(areas, links))
}

/// A plan's reporting status for a period, due on a day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportKey {
    pub plan_id: i64,
    pub area_id: AreaId,
    pub period: String,
    pub due_on: chrono::NaiveDate,
}

/// Reporting status of many plans in two statements: their duties, and the arrivals of
/// every indicator they name.
pub async fn reporting_status(
    store: &dyn Store,
    keys: &[ReportKey],
) -> Result<HashMap<ReportKey, Vec<AgencyReport>>, StoreError> {
    let plan_ids: Vec<i64> = keys.iter().map(|k| k.plan_id).collect::<BTreeSet<_>>().into_iter().collect();
    let duties = store.duties_by_plans(&plan_ids).await?;
    let indicators: Vec<String> =
        duties.iter().map(|d| d.indicator_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let areas: Vec<AreaId> = keys.iter().map(|k| k.area_id).collect::<BTreeSet<_>>().into_iter().collect();
    let periods: Vec<String> = keys.iter().map(|k| k.period.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let arrivals = store.arrivals(&indicators, &areas, &periods).await?;
    let now = chrono::Utc::now();
    Ok(keys
        .iter()
        .map(|k| {
            let plan_duties: Vec<Duty> = duties.iter().filter(|d| d.plan_id == k.plan_id).cloned().collect();
            let arrived: HashMap<String, chrono::DateTime<chrono::Utc>> = arrivals
                .iter()
                .filter(|a| a.area_id == k.area_id && a.period == k.period)
                .map(|a| (a.indicator_code.clone(), a.first_reported_at))
                .collect();
            (k.clone(), agency_reports(&plan_duties, &arrived, k.due_on, now))
        })
        .collect())
}

/// One indicator's page of a read (`Indicator.observations`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub indicator_code: String,
    /// Everything else the page selects, the same for every indicator of a request.
    pub query: ObservationQuery,
}

/// Pages of many indicators, with how many values each selects in all: two statements for
/// each distinct query (one, usually).
pub async fn pages(
    store: &dyn Store,
    keys: &[PageKey],
) -> Result<HashMap<PageKey, (Vec<Observation>, usize)>, StoreError> {
    let mut by_query: HashMap<&ObservationQuery, Vec<String>> = HashMap::new();
    for key in keys {
        by_query.entry(&key.query).or_default().push(key.indicator_code.clone());
    }
    let mut pages = HashMap::new();
    for (query, codes) in by_query {
        let (rows, totals) = store.observation_pages(&codes, query).await?;
        let mut grouped: HashMap<String, Vec<Observation>> = HashMap::new();
        for o in rows {
            grouped.entry(o.key.indicator_code.clone()).or_default().push(o);
        }
        for code in codes {
            let total = totals.iter().find(|(c, _)| *c == code).map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
            let rows = grouped.remove(&code).unwrap_or_default();
            pages.insert(PageKey { indicator_code: code, query: query.clone() }, (rows, total));
        }
    }
    Ok(pages)
}
