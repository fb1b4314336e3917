//! What the built-in dashboard page (`/dashboard`) shows for an area and a plan, gathered by
//! the same use-cases as the API, with the caller's scope and the partner rules: each
//! objective's targets and how they stand, the gender gap of the plan's indicators over
//! the years, reporting by agency (internal roles), and a map of the units under the area
//! with one indicator's latest values. The page renders this; nothing here knows HTML.

use std::collections::BTreeSet;

use super::access::{unknown_area_message, Caller};
use super::cells::{fill, CellKey};
use super::reads::{progress, reporting_status, ProgressKey, ReportKey};
use crate::domain::agencies::Agency;
use crate::domain::areas::{unit_on, Area};
use crate::domain::indicators::Indicator;
use crate::domain::observations::Sex;
use crate::domain::periods::Period;
use crate::domain::plans::{Objective, Plan, Target};
use crate::domain::progress::{standing, ProgressStatus, SexMeasured};
use crate::domain::reporting::{due_on, AgencyReport};
use crate::domain::DomainError;
use crate::store::Store;

/// The years the gender-gap charts cover: the national strategy's first half and a year on.
pub const FIRST_YEAR: i32 = 2021;
pub const LAST_YEAR: i32 = 2026;

/// What the page was asked for; `None` picks the default.
#[derive(Debug, Clone, Default)]
pub struct DashboardRequest {
    /// Default: the caller's own unit (the nation for a national token or the admin).
    pub area_code: Option<String>,
    /// Default: the area's first plan.
    pub plan_code: Option<String>,
    /// The year reporting status is shown for; default: last year.
    pub year: Option<i32>,
}

/// One target and how it stands (its latest value, own or rolled up).
#[derive(Debug, Clone)]
pub struct TargetStanding {
    pub target: Target,
    pub indicator: Option<Indicator>,
    pub status: ProgressStatus,
    /// Each sex it is measured on, with its value (none when withheld or unknown).
    pub measured: Vec<SexMeasured>,
}

/// Female and male values of one indicator, by year.
#[derive(Debug, Clone)]
pub struct GapSeries {
    pub indicator: Indicator,
    /// (year, female, male)
    pub points: Vec<(i32, Option<f64>, Option<f64>)>,
}

/// One unit of the map and its value.
#[derive(Debug, Clone)]
pub struct MapUnit {
    pub area: Area,
    pub value: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub area: Area,
    /// Units the caller may pick: its own and those under it.
    pub areas: Vec<Area>,
    pub plans: Vec<Plan>,
    pub plan: Option<Plan>,
    pub objectives: Vec<(Objective, Vec<TargetStanding>)>,
    pub gaps: Vec<GapSeries>,
    pub year: i32,
    /// `None` for partners, who do not see reporting status.
    pub reports: Option<Vec<(AgencyReport, Option<Agency>)>>,
    /// The indicator the map shows, in its latest year with a value, and its units.
    pub map: Option<(Indicator, i32, Vec<MapUnit>)>,
}

/// Gathers the page: NOT_FOUND for an unknown area or plan, FORBIDDEN outside the caller's.
pub async fn dashboard(
    store: &dyn Store,
    caller: &Caller,
    request: DashboardRequest,
) -> Result<Dashboard, DomainError> {
    let today = chrono::Utc::now().date_naive();
    let scope = caller.scope(store).await?;
    let code = request.area_code.clone().or_else(|| caller.principal.area_code.clone()).unwrap_or_else(|| "VN".into());
    let holders = store.areas_by_codes(std::slice::from_ref(&code)).await?;
    if holders.is_empty() {
        return Err(DomainError::UnknownArea(unknown_area_message(store, &code).await?));
    }
    let area = unit_on(&holders, today).cloned().ok_or_else(|| DomainError::not_found("area", &code))?;
    caller.require_area(store, area.id, &area.code).await?;
    // The units under it as they stand, or as they stood when it ended (Huyện Tân Yên's
    // communes on 2025-06-30).
    let day = area.valid_to.filter(|to| *to < today).unwrap_or(today);
    let mut areas: Vec<Area> = store
        .areas_by_parents(&[area.id])
        .await?
        .into_iter()
        .filter(|a| a.valid_on(day) && scope.allows(a.id))
        .collect();
    areas.sort_by(|a, b| a.code.cmp(&b.code));

    // The plans of the area and of what it reaches (a new province's plans are still
    // those of the provinces it took over); its own first, then one of its code.
    let reach = store.area_reach(&[area.id]).await?;
    let mut plans: Vec<Plan> = store.plans(Some(&reach)).await?;
    plans.sort_by_key(|p| (p.area_id != area.id, p.area_code != area.code, p.area_code.len(), p.code.clone()));
    let plan = match &request.plan_code {
        Some(code) => {
            let found = store.plans_by_codes(std::slice::from_ref(code)).await?.into_iter().next();
            let plan = found.ok_or_else(|| DomainError::not_found("plan", code))?;
            caller.require_area(store, plan.area_id, &plan.area_code).await?;
            Some(plan)
        }
        // The first with objectives to show (an annual plan of tasks may have none).
        None => {
            let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
            let with_objectives: BTreeSet<i64> =
                store.objectives_by_plans(&ids).await?.iter().map(|o| o.plan_id).collect();
            plans.iter().find(|p| with_objectives.contains(&p.id)).or(plans.first()).cloned()
        }
    };
    let year = request.year.unwrap_or_else(|| chrono::Datelike::year(&today) - 1);
    let mut page = Dashboard {
        area: area.clone(),
        areas,
        plans,
        plan: plan.clone(),
        objectives: Vec::new(),
        gaps: Vec::new(),
        year,
        reports: None,
        map: None,
    };
    let Some(plan) = plan else { return Ok(page) };

    let objectives = store.objectives_by_plans(&[plan.id]).await?;
    let ids: Vec<i64> = objectives.iter().map(|o| o.id).collect();
    let targets = store.targets_by_objectives(&ids).await?;
    let codes: Vec<String> =
        targets.iter().filter_map(|t| t.indicator_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let indicators = store.indicators_by_codes(&codes).await?;
    let indicator =
        |code: &Option<String>| code.as_ref().and_then(|c| indicators.iter().find(|i| &i.code == c)).cloned();
    let key_of = |t: &Target| {
        t.indicator_code.as_ref().map(|code| ProgressKey {
            indicator_code: code.clone(),
            area_id: plan.area_id,
            period: None,
            measured_on: t.measured_on,
        })
    };
    let keys: Vec<ProgressKey> = targets.iter().filter_map(key_of).collect();
    let published_only = caller.reads_published_only();
    let measured = progress(store, scope, published_only, &keys).await?;
    let withheld = |t: &Target| published_only && indicator(&t.indicator_code).is_none_or(|i| i.sensitive);
    for objective in objectives {
        let standings = targets
            .iter()
            .filter(|t| t.objective_id == objective.id)
            .map(|t| {
                let mut by_sex = key_of(t).and_then(|k| measured.get(&k)).cloned().unwrap_or_default();
                let status =
                    if by_sex.is_empty() { ProgressStatus::NoData } else { standing(t.comparator, t.value, &by_sex) };
                // Partners see whether a sensitive target is met, not its figures.
                if withheld(t) {
                    by_sex.iter_mut().for_each(|m| m.measured = None);
                }
                TargetStanding { target: t.clone(), indicator: indicator(&t.indicator_code), status, measured: by_sex }
            })
            .collect();
        page.objectives.push((objective, standings));
    }

    // The gender gap: each sex-disaggregated indicator of the plan, female and male by year.
    let years: Vec<i32> = (FIRST_YEAR..=LAST_YEAR).collect();
    let gap_indicators: Vec<&Indicator> = indicators.iter().filter(|i| i.sex_disaggregated).collect();
    let mut cell_keys = Vec::new();
    for i in &gap_indicators {
        for year in &years {
            for sex in [Sex::Female, Sex::Male] {
                cell_keys.push(CellKey {
                    indicator_code: i.code.clone(),
                    area_id: plan.area_id,
                    period: year.to_string(),
                    sex,
                });
            }
        }
    }
    // The map: the plan's first measured indicator, in the units under the area.
    let map_indicator = targets.iter().find_map(|t| indicator(&t.indicator_code));
    if let Some(i) = &map_indicator {
        for unit in page.areas.iter().filter(|a| a.location.is_some()) {
            for year in &years {
                cell_keys.push(CellKey {
                    indicator_code: i.code.clone(),
                    area_id: unit.id,
                    period: year.to_string(),
                    sex: Sex::Total,
                });
            }
        }
    }
    let cells = fill(store, caller, &cell_keys).await?;
    let value = |code: &str, area_id, year: i32, sex| {
        let key = CellKey { indicator_code: code.to_owned(), area_id, period: year.to_string(), sex };
        cells.get(&key).and_then(|c| c.value)
    };
    for i in gap_indicators {
        let points: Vec<(i32, Option<f64>, Option<f64>)> = years
            .iter()
            .map(|y| (*y, value(&i.code, plan.area_id, *y, Sex::Female), value(&i.code, plan.area_id, *y, Sex::Male)))
            .collect();
        if points.iter().any(|(_, f, m)| f.is_some() || m.is_some()) {
            page.gaps.push(GapSeries { indicator: i.clone(), points });
        }
    }
    if let Some(i) = map_indicator {
        let located: Vec<&Area> = page.areas.iter().filter(|a| a.location.is_some()).collect();
        let latest = years
            .iter()
            .rev()
            .copied()
            .find(|y| located.iter().any(|a| value(&i.code, a.id, *y, Sex::Total).is_some()));
        let year = latest.unwrap_or(LAST_YEAR);
        let units = located
            .into_iter()
            .map(|a| MapUnit { area: a.clone(), value: value(&i.code, a.id, year, Sex::Total) })
            .collect();
        page.map = Some((i, year, units));
    }

    if !published_only {
        let deadlines = store.deadlines_by_plans(&[plan.id]).await?;
        let period = Period { year, part: crate::domain::periods::PeriodPart::Year };
        if let Ok(due_on) = due_on(&deadlines, &period) {
            let key = ReportKey { plan_id: plan.id, area_id: plan.area_id, period: period.to_string(), due_on };
            let reports = reporting_status(store, std::slice::from_ref(&key)).await?.remove(&key).unwrap_or_default();
            let agency_codes: Vec<String> = reports.iter().map(|r| r.agency_code.clone()).collect();
            let agencies = store.agencies_by_codes(&agency_codes).await?;
            let named = reports
                .into_iter()
                .map(|r| {
                    let agency = agencies.iter().find(|a| a.code == r.agency_code).cloned();
                    (r, agency)
                })
                .collect();
            page.reports = Some(named);
        } else {
            page.reports = Some(Vec::new());
        }
    }
    Ok(page)
}
