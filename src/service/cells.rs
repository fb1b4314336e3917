//! Cells (ô số liệu) for dashboards: the values of indicators × areas × periods × sex, read
//! live in a fixed number of statements whatever the number of cells. A unit with no value
//! of its own in a period gets one compiled from the units that made up its territory
//! (`domain::progress`: sub-units, predecessors, successors), marked derived. Only values
//! inside the caller's scope count, and partners read the published view: own cells of a
//! sensitive table by the disclosure rule, and no derived figure of a sensitive indicator
//! (a sum minus the parts a partner can read would give back a suppressed part).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;

use super::access::{unknown_area_message, Caller};
use super::reads::{graph_around, period_argument, tables, TableKey};
use crate::domain::areas::{unit_for_period, unit_on, Area, AreaId, AreaLevel};
use crate::domain::indicators::Indicator;
use crate::domain::observations::{Observation, ObservationStatus, Sex};
use crate::domain::periods::Period;
use crate::domain::progress::{compiled, Total, Totals};
use crate::domain::DomainError;
use crate::store::{Store, StoreError};

/// Cells one request may ask for: a province's communes, six years, three sexes and a
/// dozen indicators fit well inside.
pub const MAX_CELLS: usize = 50_000;
/// Indicators one request may name.
pub const MAX_INDICATORS: usize = 100;

/// Which areas a request of cells covers.
#[derive(Debug, Clone)]
pub enum CellAreas {
    /// These codes, each read as the unit that held it in each period.
    Codes(Vec<String>),
    /// The units under this one (its children, or its descendants at `level`), as the map
    /// stood at the end of the last period asked for.
    Under { code: String, level: Option<AreaLevel> },
}

/// A request of cells, its periods as a filter writes them.
#[derive(Debug, Clone)]
pub struct CellsRequest {
    pub indicator_codes: Vec<String>,
    pub areas: CellAreas,
    pub periods: Option<Vec<String>>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// `None`: each sex an indicator is reported by (the total alone when it is not
    /// disaggregated by sex).
    pub sexes: Option<Vec<Sex>>,
}

/// One cell to fill: an indicator's value in a unit, period and sex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CellKey {
    pub indicator_code: String,
    pub area_id: AreaId,
    pub period: String,
    pub sex: Sex,
}

/// A cell as the caller may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub key: CellKey,
    /// `None` when suppressed or when there is no value.
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// The own value's status; `None` for a derived cell or no data.
    pub status: Option<ObservationStatus>,
    pub derived: bool,
    pub suppressed: bool,
}

/// A cell with its indicator and unit, which every cell of a row or column shares.
#[derive(Debug, Clone)]
pub struct PlacedCell {
    pub cell: Cell,
    pub indicator: Arc<Indicator>,
    pub area: Arc<Area>,
}

/// The cells a request names, each with its indicator and unit, in the order asked:
/// indicator, area, period, sex. BAD_USER_INPUT for no indicator or period, a bad period or range, or too
/// many cells; NOT_FOUND for an unknown indicator or area; FORBIDDEN for an area outside
/// the caller's.
pub async fn cells(store: &dyn Store, caller: &Caller, request: CellsRequest) -> Result<Vec<PlacedCell>, DomainError> {
    if request.indicator_codes.is_empty() || request.indicator_codes.len() > MAX_INDICATORS {
        return Err(DomainError::bad_input("indicatorCodes", format!("name 1 to {MAX_INDICATORS} indicators")));
    }
    let indicators = store.indicators_by_codes(&request.indicator_codes).await?;
    let mut ordered: Vec<Arc<Indicator>> = Vec::new();
    for code in &request.indicator_codes {
        let indicator =
            indicators.iter().find(|i| &i.code == code).ok_or_else(|| DomainError::not_found("indicator", code))?;
        if !ordered.iter().any(|i| i.code == *code) {
            ordered.push(Arc::new(indicator.clone()));
        }
    }
    let periods = periods_of(&request)?;
    let areas = units_of(store, caller, &request.areas, &periods).await?;
    let sexes_of = |i: &Indicator| -> Vec<Sex> {
        let reported: &[Sex] = if i.sex_disaggregated { &[Sex::Female, Sex::Male, Sex::Total] } else { &[Sex::Total] };
        match &request.sexes {
            Some(asked) => asked.iter().copied().filter(|s| reported.contains(s)).collect(),
            None => reported.to_vec(),
        }
    };
    let mut keys: Vec<(CellKey, &Arc<Indicator>, &Arc<Area>)> = Vec::new();
    for indicator in &ordered {
        let sexes = sexes_of(indicator);
        for column in &areas {
            for (period, unit) in periods.iter().zip(column) {
                for sex in &sexes {
                    if keys.len() == MAX_CELLS {
                        let message =
                            format!("more than {MAX_CELLS} cells: ask for fewer areas, periods or indicators");
                        return Err(DomainError::bad_input("cells", message));
                    }
                    let key = CellKey {
                        indicator_code: indicator.code.clone(),
                        area_id: unit.id,
                        period: period.to_string(),
                        sex: *sex,
                    };
                    keys.push((key, indicator, unit));
                }
            }
        }
    }
    let only_keys: Vec<CellKey> = keys.iter().map(|(k, _, _)| k.clone()).collect();
    let mut filled = fill(store, caller, &only_keys).await?;
    Ok(keys
        .into_iter()
        .map(|(key, indicator, area)| {
            let cell = filled.remove(&key).unwrap_or_else(|| Cell::empty(key.clone()));
            PlacedCell { cell, indicator: indicator.clone(), area: area.clone() }
        })
        .collect())
}

impl Cell {
    fn empty(key: CellKey) -> Cell {
        Cell { key, value: None, numerator: None, denominator: None, status: None, derived: false, suppressed: false }
    }
}

/// The periods asked for, each a period: a list or a range, one of them.
fn periods_of(request: &CellsRequest) -> Result<Vec<Period>, DomainError> {
    match (&request.periods, &request.period_from, &request.period_to) {
        (Some(list), None, None) if !list.is_empty() => {
            let mut periods: Vec<Period> = Vec::new();
            for p in list {
                let period = period_argument("periods", p)?;
                if !periods.contains(&period) {
                    periods.push(period);
                }
            }
            Ok(periods)
        }
        (None, Some(from), Some(to)) => {
            let (from, to) = (period_argument("periodFrom", from)?, period_argument("periodTo", to)?);
            Period::range(from, to).map_err(|e| DomainError::bad_input("periodTo", e.to_string()))
        }
        _ => Err(DomainError::bad_input("periods", "name the periods: a list (periods), or periodFrom and periodTo")),
    }
}

/// For each area, its unit in each period (in the order of `periods`); FORBIDDEN when one
/// is outside the caller's scope.
async fn units_of(
    store: &dyn Store,
    caller: &Caller,
    areas: &CellAreas,
    periods: &[Period],
) -> Result<Vec<Vec<Arc<Area>>>, DomainError> {
    let scope = caller.scope(store).await?;
    let forbidden = |code: &str| DomainError::Forbidden(format!("area {code} is outside your area"));
    match areas {
        CellAreas::Codes(codes) => {
            if codes.is_empty() {
                return Err(DomainError::bad_input("areaCodes", "name at least one area"));
            }
            let holders = store.areas_by_codes(codes).await?;
            let today = chrono::Utc::now().date_naive();
            let mut columns = Vec::new();
            for code in codes {
                let of_code: Vec<&Area> = holders.iter().filter(|a| &a.code == code).collect();
                if of_code.is_empty() {
                    return Err(DomainError::UnknownArea(unknown_area_message(store, code).await?));
                }
                // The unit that held the code in the period; before its first holder, the
                // unit that holds it today (its value compiled from what it replaced).
                let mut column = Vec::new();
                for period in periods {
                    let unit = unit_for_period(of_code.iter().copied(), period)
                        .or_else(|| unit_on(of_code.iter().copied(), today))
                        .ok_or_else(|| DomainError::not_found("area", code))?;
                    if !scope.allows(unit.id) {
                        return Err(forbidden(code));
                    }
                    column.push(Arc::new(unit.clone()));
                }
                columns.push(column);
            }
            Ok(columns)
        }
        CellAreas::Under { code, level } => {
            let day = periods.iter().map(|p| p.days().1).max().unwrap_or_else(|| chrono::Utc::now().date_naive());
            let holders = store.areas_by_codes(std::slice::from_ref(code)).await?;
            if holders.is_empty() {
                return Err(DomainError::UnknownArea(unknown_area_message(store, code).await?));
            }
            let parent = unit_on(&holders, day).ok_or_else(|| DomainError::not_found("area", code))?;
            // Listing what is under an area is reading that area, as `areas(parentCode:)`.
            if !scope.allows(parent.id) {
                return Err(forbidden(code));
            }
            let units = descendants(store, parent, *level, day).await?;
            let units: Vec<Area> = units.into_iter().filter(|u| scope.allows(u.id)).collect();
            // One unit for every period: the same `Arc` in each place.
            Ok(units.into_iter().map(|u| std::iter::repeat_n(Arc::new(u), periods.len()).collect()).collect())
        }
    }
}

/// The units under `parent` valid on `day`: its children, or with a level its descendants
/// at that level, a statement per level walked down, ordered by code.
async fn descendants(
    store: &dyn Store,
    parent: &Area,
    level: Option<AreaLevel>,
    day: NaiveDate,
) -> Result<Vec<Area>, DomainError> {
    let mut frontier = vec![parent.id];
    let mut found = Vec::new();
    // Nation, province, district, commune: three steps down at most.
    for _ in 0..3 {
        let children: Vec<Area> =
            store.areas_by_parents(&frontier).await?.into_iter().filter(|a| a.valid_on(day)).collect();
        if children.is_empty() {
            break;
        }
        let (at_level, above): (Vec<Area>, Vec<Area>) = match level {
            None => (children, Vec::new()),
            Some(level) => children.into_iter().partition(|a| a.level == level),
        };
        found.extend(at_level);
        if level.is_none() || above.is_empty() {
            break;
        }
        frontier = above.iter().map(|a| a.id).collect();
    }
    found.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(found)
}

/// Fills cells: own values where reported, else compiled by the roll-up rules, from the
/// values inside the caller's scope; partners' suppressed figures withheld. Eight statements
/// or so whatever the number of cells: the units around them (five), the values, and for
/// partners the indicators and the sensitive tables.
pub async fn fill(store: &dyn Store, caller: &Caller, keys: &[CellKey]) -> Result<HashMap<CellKey, Cell>, StoreError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let set = |f: &dyn Fn(&CellKey) -> String| keys.iter().map(f).collect::<BTreeSet<_>>().into_iter().collect();
    let indicator_codes: Vec<String> = set(&|k| k.indicator_code.clone());
    let periods: Vec<String> = set(&|k| k.period.clone());
    let sexes: Vec<Sex> = keys.iter().map(|k| k.sex).collect::<BTreeSet<_>>().into_iter().collect();
    let roots: Vec<AreaId> = keys.iter().map(|k| k.area_id).collect::<BTreeSet<_>>().into_iter().collect();
    let scope = caller.scope(store).await?;
    let published_only = caller.reads_published_only();
    let graph = graph_around(store, &roots).await?;
    let family: Vec<AreaId> = graph.wanted(&roots).into_iter().filter(|id| scope.allows(*id)).collect();
    let indicators = store.indicators_by_codes(&indicator_codes).await?;
    let rows = store.totals(&indicator_codes, &family, &sexes, Some(&periods), published_only).await?;

    let mut own: HashMap<CellKey, Observation> = HashMap::new();
    let mut series: HashMap<(String, Sex), Totals> = HashMap::new();
    for o in rows {
        let total = Total { value: o.value, numerator: o.numerator, denominator: o.denominator };
        series
            .entry((o.key.indicator_code.clone(), o.key.sex))
            .or_default()
            .insert((o.key.area_id, o.key.period.clone()), total);
        let key = CellKey {
            indicator_code: o.key.indicator_code.clone(),
            area_id: o.key.area_id,
            period: o.key.period.clone(),
            sex: o.key.sex,
        };
        own.insert(key, o);
    }

    // Partners: the tables of own sensitive cells, read whole (a table reaches past a sex).
    let sensitive = |code: &str| indicators.iter().find(|i| i.code == code).is_none_or(|i| i.sensitive);
    let withheld_tables: Vec<TableKey> = if published_only {
        keys.iter()
            .filter(|k| sensitive(&k.indicator_code) && own.contains_key(*k))
            .map(|k| TableKey {
                indicator_code: k.indicator_code.clone(),
                area_id: k.area_id,
                period: k.period.clone(),
            })
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let tables = tables(store, true, &withheld_tables).await?;

    let empty = Totals::new();
    let mut filled = HashMap::new();
    for key in keys {
        let Some(indicator) = indicators.iter().find(|i| i.code == key.indicator_code) else { continue };
        let mut cell = Cell::empty(key.clone());
        if let Some(o) = own.get(key) {
            cell.value = Some(o.value);
            cell.numerator = o.numerator;
            cell.denominator = o.denominator;
            cell.status = Some(o.status);
            if published_only && indicator.sensitive {
                let table_key = TableKey {
                    indicator_code: key.indicator_code.clone(),
                    area_id: key.area_id,
                    period: key.period.clone(),
                };
                cell.suppressed = tables.get(&table_key).is_none_or(|t| t.suppressed.contains(&o.id));
            }
        } else if let Ok(period) = key.period.parse::<Period>() {
            let totals = series.get(&(key.indicator_code.clone(), key.sex)).unwrap_or(&empty);
            if let Some(total) = compiled(&graph, totals, indicator.unit, key.area_id, &period) {
                cell.value = Some(total.value);
                cell.numerator = total.numerator;
                cell.denominator = total.denominator;
                cell.derived = true;
                cell.suppressed = published_only && indicator.sensitive;
            }
        }
        if cell.suppressed {
            (cell.value, cell.numerator, cell.denominator) = (None, None, None);
        }
        filled.insert(key.clone(), cell);
    }
    Ok(filled)
}
