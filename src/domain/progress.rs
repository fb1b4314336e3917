//! Progress toward a target (tiến độ thực hiện chỉ tiêu): the latest value for the target's
//! unit, compared with the target. Where a unit has no value of its own for a period, it
//! is compiled from the units that make up its territory in that period, counts summed,
//! rates recomputed from summed numerators and denominators, never averaged:
//!
//! 1. a unit that exists at the period's end: its sub-units as they stood that day;
//! 2. a unit that did not exist yet (a new province, a new commune, for 2024): its
//!    predecessors, when each went to it whole;
//! 3. a unit that had ended (Huyện Tân Yên, for 2025 or 2026): the units that took over
//!    its territory, when each lies wholly inside it.
//!
//! A compilation needs every component: a partial sum would understate the whole, and a
//! divided commune's value cannot be split, so a predecessor only partly inside, or a
//! successor straddling the old boundary, gives no value. A target measured on one sex
//! reads that sex's values; one measured on each sex reads both, in the same period, and
//! is met only when each sex meets it.

use std::collections::{HashMap, HashSet};

use super::areas::{Area, AreaId, Succession};
use super::indicators::{Indicator, Unit};
use super::named_enum;
use super::observations::Sex;
use super::periods::Period;
use super::plans::{Comparator, SexScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgressStatus {
    Met,
    NotMet,
    NoData,
}
named_enum!(ProgressStatus { Met = "MET", NotMet = "NOT_MET", NoData = "NO_DATA" });

/// A value reported for one unit, period and sex, not broken down by age group or ethnicity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Total {
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// The value a target is compared with, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub value: f64,
    pub period: String,
    /// Compiled from other units (sub-units, predecessors or successors).
    pub derived: bool,
}

/// Units and their boundary changes: what makes up a unit's territory.
#[derive(Debug, Default)]
pub struct AreaGraph {
    areas: HashMap<AreaId, Area>,
    children: HashMap<AreaId, Vec<AreaId>>,
    /// (predecessor, whole) of each successor.
    predecessors: HashMap<AreaId, Vec<(AreaId, bool)>>,
    successors: HashMap<AreaId, Vec<AreaId>>,
}

impl AreaGraph {
    pub fn new(areas: Vec<Area>, successions: Vec<Succession>) -> AreaGraph {
        let mut graph = AreaGraph::default();
        for a in &areas {
            if let Some(parent) = a.parent_id {
                graph.children.entry(parent).or_default().push(a.id);
            }
        }
        let mut seen = HashSet::new();
        for s in successions {
            if seen.insert((s.predecessor_id, s.successor_id)) {
                graph.predecessors.entry(s.successor_id).or_default().push((s.predecessor_id, s.whole));
                graph.successors.entry(s.predecessor_id).or_default().push(s.successor_id);
            }
        }
        graph.areas = areas.into_iter().map(|a| (a.id, a)).collect();
        graph
    }

    /// The units whose values a compilation of these may need: the units under them and
    /// those they replaced, all the way down; then the successors of all of those. What a
    /// loader reads next, until nothing new comes.
    pub fn wanted(&self, from: &[AreaId]) -> Vec<AreaId> {
        let down = self.down(from);
        let mut wanted: Vec<AreaId> = down.iter().copied().collect();
        for id in &down {
            for s in self.successors.get(id).into_iter().flatten() {
                if !down.contains(s) {
                    wanted.push(*s);
                }
            }
        }
        wanted
    }

    /// The units and everything under them or replaced by them, transitively.
    fn down(&self, from: &[AreaId]) -> HashSet<AreaId> {
        let mut seen: HashSet<AreaId> = from.iter().copied().collect();
        let mut stack: Vec<AreaId> = from.to_vec();
        while let Some(id) = stack.pop() {
            let children = self.children.get(&id).into_iter().flatten().copied();
            let predecessors = self.predecessors.get(&id).into_iter().flatten().map(|(p, _)| *p);
            for next in children.chain(predecessors) {
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        seen
    }

    /// The unit and the units under it, transitively (not what it replaced).
    fn territory(&self, id: AreaId) -> HashSet<AreaId> {
        let mut seen = HashSet::from([id]);
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            for child in self.children.get(&id).into_iter().flatten() {
                if seen.insert(*child) {
                    stack.push(*child);
                }
            }
        }
        seen
    }

    /// The units whose values add up to `id`'s in `period`, or `None` when its territory
    /// cannot be made up of whole units (see the module's rules).
    fn components(&self, id: AreaId, period: &Period) -> Option<Vec<AreaId>> {
        let area = self.areas.get(&id)?;
        let (_, last) = period.days();
        if area.valid_on(last) {
            let children: Vec<AreaId> = self
                .children
                .get(&id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|c| self.areas.get(c).is_some_and(|a| a.valid_on(last)))
                .collect();
            return (!children.is_empty()).then_some(children);
        }
        if area.valid_from.is_some_and(|from| last < from) {
            let predecessors = self.predecessors.get(&id)?;
            if predecessors.iter().any(|(_, whole)| !whole) {
                return None;
            }
            return Some(predecessors.iter().map(|(p, _)| *p).collect());
        }
        // Ended before the period's end: the units that took over its territory, from its
        // smallest units (a merged province's successor also took in its neighbour; its
        // communes' successors may lie wholly inside it).
        let territory = self.territory(id);
        let inside =
            |s: &AreaId| self.predecessors.get(s).is_some_and(|ps| ps.iter().all(|(p, _)| territory.contains(p)));
        // A unit that went on whole under a new unit of the same territory (an unchanged
        // province, Sơn La): that unit's value is its value.
        let own: Vec<AreaId> = self.successors.get(&id).cloned().unwrap_or_default();
        if !own.is_empty() && own.iter().all(inside) {
            return Some(own);
        }
        let leaves = territory.iter().filter(|u| self.children.get(u).is_none_or(|c| c.is_empty()));
        let mut successors: Vec<AreaId> = Vec::new();
        for unit in leaves {
            for s in self.successors.get(unit).into_iter().flatten() {
                if !successors.contains(s) {
                    successors.push(*s);
                }
            }
        }
        if successors.is_empty() || !successors.iter().all(inside) {
            return None;
        }
        successors.sort_unstable();
        Some(successors)
    }
}

/// Values of one indicator and sex, by (unit, period).
pub type Totals = HashMap<(AreaId, String), Total>;

/// Totals of one indicator, for each sex reported.
pub type TotalsBySex = HashMap<Sex, Totals>;

/// One sex's value to compare with a target, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct SexMeasured {
    pub sex: Sex,
    pub measured: Option<Measured>,
}

const MAX_DEPTH: usize = 16;

fn value_at(
    graph: &AreaGraph,
    totals: &Totals,
    unit: Unit,
    area: AreaId,
    period: &Period,
    depth: usize,
) -> Option<(Total, bool)> {
    if let Some(own) = totals.get(&(area, period.to_string())) {
        return Some((*own, false));
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let components = graph.components(area, period)?;
    let parts: Option<Vec<Total>> =
        components.iter().map(|c| value_at(graph, totals, unit, *c, period, depth + 1).map(|(t, _)| t)).collect();
    combine(unit, parts?).map(|total| (total, true))
}

/// A unit's value in one period when it has none of its own: compiled from the units that
/// make up its territory then, by the module's rules. `None` when it cannot be.
pub fn compiled(graph: &AreaGraph, totals: &Totals, unit: Unit, area: AreaId, period: &Period) -> Option<Total> {
    let components = graph.components(area, period)?;
    let parts: Option<Vec<Total>> =
        components.iter().map(|c| value_at(graph, totals, unit, *c, period, 1).map(|(t, _)| t)).collect();
    combine(unit, parts?)
}

/// The value of a territory made of `parts`: a unit renamed or moved whole keeps its value,
/// counts add up, rates are recomputed from the summed numerators and denominators.
fn combine(unit: Unit, parts: Vec<Total>) -> Option<Total> {
    if let [only] = parts.as_slice() {
        return Some(*only);
    }
    if unit == Unit::Count {
        let value = parts.iter().map(|p| p.value).sum();
        return Some(Total { value, numerator: None, denominator: None });
    }
    let scale = unit.scale()?;
    let numerator: f64 = parts.iter().map(|p| p.numerator).sum::<Option<f64>>()?;
    let denominator: f64 = parts.iter().map(|p| p.denominator).sum::<Option<f64>>()?;
    if denominator <= 0.0 {
        return None;
    }
    Some(Total { value: numerator / denominator * scale, numerator: Some(numerator), denominator: Some(denominator) })
}

/// Whether a target stands MET, NOT_MET or NO_DATA on the values of the sexes it is
/// measured on (`measure_by_sex`).
pub fn standing(comparator: Option<Comparator>, target: Option<f64>, measured: &[SexMeasured]) -> ProgressStatus {
    let statuses: Vec<ProgressStatus> =
        measured.iter().map(|m| status(comparator, target, m.measured.as_ref().map(|m| m.value))).collect();
    overall(&statuses)
}

/// How the targets of a plan, or of one objective, stand: how many are met, not met, and
/// without data (qualitative targets among these).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub met: usize,
    pub not_met: usize,
    pub no_data: usize,
}

impl Tally {
    pub fn add(&mut self, status: ProgressStatus) {
        match status {
            ProgressStatus::Met => self.met += 1,
            ProgressStatus::NotMet => self.not_met += 1,
            ProgressStatus::NoData => self.no_data += 1,
        }
    }
}

/// The periods to try, best first: `period` when given, else every period of the series,
/// the latest first.
fn candidates<'a>(series: impl IntoIterator<Item = &'a Totals>, period: Option<&Period>) -> Vec<Period> {
    if let Some(p) = period {
        return vec![*p];
    }
    let mut periods: Vec<Period> =
        series.into_iter().flat_map(|totals| totals.keys()).filter_map(|(_, p)| p.parse().ok()).collect();
    periods.sort_by_key(|p: &Period| {
        let (first, last) = p.days();
        // latest end first; of two ending together, the longer (the year over its half)
        (std::cmp::Reverse(last), first)
    });
    periods.dedup();
    periods
}

fn measured_at(graph: &AreaGraph, totals: &Totals, unit: Unit, area: AreaId, period: &Period) -> Option<Measured> {
    value_at(graph, totals, unit, area, period, 0).map(|(total, derived)| Measured {
        value: total.value,
        period: period.to_string(),
        derived,
    })
}

/// The value to compare for `area`: in `period` when given, else in the latest period
/// for which one can be had (own or compiled).
pub fn measure(
    graph: &AreaGraph,
    totals: &Totals,
    indicator: &Indicator,
    area: AreaId,
    period: Option<&Period>,
) -> Option<Measured> {
    // Any period is fair for the area asked about: a unit created by a merger still shows
    // its predecessors' earlier values, rolled up.
    candidates([totals], period).iter().find_map(|p| measured_at(graph, totals, indicator.unit, area, p))
}

/// The value of each sex `scope` names, in one period: `period` when given, else the latest
/// period in which every one of them has a value (own or rolled up, by the same rules as
/// `measure`). When no period has them all, each is its own latest, so that what is known
/// still shows.
pub fn measure_by_sex(
    graph: &AreaGraph,
    totals: &TotalsBySex,
    indicator: &Indicator,
    scope: SexScope,
    area: AreaId,
    period: Option<&Period>,
) -> Vec<SexMeasured> {
    let empty = Totals::new();
    let series: Vec<(Sex, &Totals)> = scope.sexes().iter().map(|s| (*s, totals.get(s).unwrap_or(&empty))).collect();
    let together = candidates(series.iter().map(|(_, t)| *t), period).iter().find_map(|p| {
        series
            .iter()
            .map(|(sex, t)| {
                measured_at(graph, t, indicator.unit, area, p).map(|m| SexMeasured { sex: *sex, measured: Some(m) })
            })
            .collect::<Option<Vec<_>>>()
    });
    together.unwrap_or_else(|| {
        series
            .iter()
            .map(|(sex, t)| SexMeasured { sex: *sex, measured: measure(graph, t, indicator, area, period) })
            .collect()
    })
}

/// Whether a value meets a target.
pub fn status(comparator: Option<Comparator>, target: Option<f64>, value: Option<f64>) -> ProgressStatus {
    let (Some(comparator), Some(value)) = (comparator, value) else { return ProgressStatus::NoData };
    let met = match (comparator, target) {
        (Comparator::Achieved, _) => value >= 1.0,
        (Comparator::AtLeast, Some(t)) => value >= t,
        (Comparator::MoreThan, Some(t)) => value > t,
        (Comparator::AtMost, Some(t)) => value <= t,
        (Comparator::LessThan, Some(t)) => value < t,
        (Comparator::Equal, Some(t)) => (value - t).abs() < 1e-9,
        // "khoảng" (about): within 5% of the target
        (Comparator::About, Some(t)) => (value - t).abs() <= 0.05 * t.abs(),
        (_, None) => return ProgressStatus::NoData,
    };
    if met {
        ProgressStatus::Met
    } else {
        ProgressStatus::NotMet
    }
}

/// How a target stands on the statuses of the sexes it is measured on: MET when every one
/// meets it, NOT_MET when each has a value and one falls short, NO_DATA when one has none.
pub fn overall(statuses: &[ProgressStatus]) -> ProgressStatus {
    if statuses.is_empty() || statuses.contains(&ProgressStatus::NoData) {
        ProgressStatus::NoData
    } else if statuses.contains(&ProgressStatus::NotMet) {
        ProgressStatus::NotMet
    } else {
        ProgressStatus::Met
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::areas::AreaLevel;

    fn area(id: AreaId, parent: Option<AreaId>, valid_from: Option<&str>, valid_to: Option<&str>) -> Area {
        let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
        Area {
            id,
            code: id.to_string(),
            name: id.to_string(),
            level: AreaLevel::Province,
            parent_id: parent,
            valid_from: valid_from.map(date),
            valid_to: valid_to.map(date),
            location: None,
            area_km2: None,
            source: None,
        }
    }

    fn link(predecessor: AreaId, successor: AreaId, whole: bool) -> Succession {
        let effective_on = NaiveDate::from_ymd_opt(2025, 7, 1).expect("date");
        Succession { predecessor_id: predecessor, successor_id: successor, effective_on, whole }
    }

    fn indicator(unit: Unit) -> Indicator {
        Indicator {
            code: "I".into(),
            name_vi: "I".into(),
            name_en: "I".into(),
            unit,
            direction: None,
            sex_disaggregated: false,
            dimensions: vec![],
            sensitive: false,
            sdg_code: None,
            source: None,
        }
    }

    fn total(value: f64, rate: Option<(f64, f64)>) -> Total {
        Total { value, numerator: rate.map(|r| r.0), denominator: rate.map(|r| r.1) }
    }

    const OLD: Option<&str> = Some("2025-06-30");
    const NEW: Option<&str> = Some("2025-07-01");

    /// Old provinces 1 and 2 merged whole into 3 on 2025-07-01. Old 1 had district 10 with
    /// communes 100 and 101, and district 11 with commune 110. Old commune 100 went whole to
    /// new commune 300; 101 was divided between 300 and 301; 110 went whole to 301; and new
    /// commune 302 took commune 200 of old province 2 (its only commune) whole.
    fn graph() -> AreaGraph {
        AreaGraph::new(
            vec![
                area(1, None, None, OLD),
                area(2, None, None, OLD),
                area(3, None, NEW, None),
                area(10, Some(1), None, OLD),
                area(11, Some(1), None, OLD),
                area(100, Some(10), None, OLD),
                area(101, Some(10), None, OLD),
                area(110, Some(11), None, OLD),
                area(200, Some(2), None, OLD),
                area(300, Some(3), NEW, None),
                area(301, Some(3), NEW, None),
                area(302, Some(3), NEW, None),
            ],
            vec![
                link(1, 3, true),
                link(2, 3, true),
                link(100, 300, true),
                link(101, 300, false),
                link(101, 301, false),
                link(110, 301, true),
                link(200, 302, true),
            ],
        )
    }

    fn totals(rows: &[(AreaId, &str, Total)]) -> Totals {
        rows.iter().map(|(a, p, t)| ((*a, (*p).to_owned()), *t)).collect()
    }

    fn at(totals: &Totals, unit: Unit, area: AreaId, period: &str) -> Option<Measured> {
        measure(&graph(), totals, &indicator(unit), area, Some(&period.parse().expect("period")))
    }

    #[test]
    fn an_own_value_is_used_as_it_is() {
        let t = totals(&[(1, "2024", total(40.0, None)), (100, "2024", total(1.0, None))]);
        let m = measure(&graph(), &t, &indicator(Unit::Count), 1, None).expect("value");
        assert_eq!(m, Measured { value: 40.0, period: "2024".into(), derived: false });
    }

    #[test]
    fn a_new_unit_before_it_existed_sums_its_predecessors() {
        let t = totals(&[
            (100, "2024", total(3.0, None)),
            (101, "2024", total(4.0, None)),
            (110, "2024", total(2.0, None)),
            (2, "2024", total(5.0, None)),
        ]);
        assert_eq!(
            at(&t, Unit::Count, 3, "2024"),
            Some(Measured { value: 14.0, period: "2024".into(), derived: true })
        );
    }

    #[test]
    fn rates_are_compiled_from_summed_numerators_never_averaged() {
        // 90% of 100 and 50% of 10: the whole is 95/110 = 86.36%, not the mean 70%.
        let t = totals(&[(1, "2024", total(90.0, Some((90.0, 100.0)))), (2, "2024", total(50.0, Some((5.0, 10.0))))]);
        let m = at(&t, Unit::Percent, 3, "2024").expect("value");
        assert!((m.value - 86.3636).abs() < 1e-3, "{m:?}");
        assert!(m.derived);
        let t = totals(&[(1, "2024", total(90.0, None)), (2, "2024", total(50.0, Some((5.0, 10.0))))]);
        assert_eq!(at(&t, Unit::Percent, 3, "2024"), None, "1 has no denominator");
    }

    #[test]
    fn a_missing_predecessor_or_one_only_partly_inside_gives_no_value() {
        let t = totals(&[(1, "2024", total(3.0, None))]);
        assert_eq!(at(&t, Unit::Count, 3, "2024"), None, "2 is missing");
        // new commune 300 took 100 whole but only part of 101
        let t = totals(&[(100, "2024", total(3.0, None)), (101, "2024", total(4.0, None))]);
        assert_eq!(at(&t, Unit::Count, 300, "2024"), None);
        let t = totals(&[(200, "2024", total(6.0, None))]);
        assert_eq!(
            at(&t, Unit::Count, 302, "2024"),
            Some(Measured { value: 6.0, period: "2024".into(), derived: true })
        );
    }

    #[test]
    fn an_ended_unit_after_it_ended_sums_the_successors_wholly_inside_it() {
        let t = totals(&[
            (300, "2025", total(10.0, Some((10.0, 100.0)))),
            (301, "2025", total(20.0, Some((30.0, 150.0)))),
            (302, "2025", total(30.0, Some((3.0, 10.0)))),
        ]);
        // old province 1's territory is exactly 300 and 301
        let m = at(&t, Unit::Percent, 1, "2025").expect("value");
        assert!((m.value - 16.0).abs() < 1e-9, "{m:?}");
        assert!(m.derived);
        // district 11's commune 110 went to 301, which also took part of 101 (district 10)
        assert_eq!(at(&t, Unit::Percent, 11, "2025"), None);
        // old province 2 = new commune 302
        assert_eq!(at(&t, Unit::Percent, 2, "2026"), None, "no 2026 value");
        assert_eq!(at(&t, Unit::Percent, 2, "2025").map(|m| m.value), Some(30.0));
    }

    #[test]
    fn an_unchanged_unit_after_the_reform_takes_its_successors_value() {
        // 2 (old, commune 200) went whole into 4 (new, same territory); 4 reports itself.
        let graph = AreaGraph::new(
            vec![
                area(2, None, None, OLD),
                area(200, Some(2), None, OLD),
                area(4, None, NEW, None),
                area(400, Some(4), NEW, None),
            ],
            vec![link(2, 4, true), link(200, 400, true)],
        );
        let t = totals(&[(4, "2025", total(108.0, None))]);
        let p = "2025".parse().expect("period");
        let m = measure(&graph, &t, &indicator(Unit::RatioPer100), 2, Some(&p)).expect("value");
        assert_eq!(m, Measured { value: 108.0, period: "2025".into(), derived: true });
        // no period asked: 2025 is the latest with a value
        assert_eq!(measure(&graph, &t, &indicator(Unit::RatioPer100), 2, None).map(|m| m.period), Some("2025".into()));
    }

    #[test]
    fn a_unit_existing_at_the_period_end_sums_its_sub_units_of_that_day() {
        let t = totals(&[
            (300, "2025", total(1.0, None)),
            (301, "2025", total(2.0, None)),
            (302, "2025", total(3.0, None)),
            (1, "2025", total(100.0, None)),
        ]);
        assert_eq!(at(&t, Unit::Count, 3, "2025").map(|m| m.value), Some(6.0), "not the old provinces");
        let t = totals(&[(100, "2024-S1", total(1.0, None)), (101, "2024-S1", total(2.0, None))]);
        assert_eq!(at(&t, Unit::Count, 10, "2024-S1").map(|m| m.value), Some(3.0));
    }

    #[test]
    fn the_latest_period_is_chosen() {
        let t =
            totals(&[(1, "2023", total(1.0, None)), (1, "2024-S1", total(2.0, None)), (1, "2024", total(3.0, None))]);
        let m = measure(&graph(), &t, &indicator(Unit::Count), 1, None).expect("value");
        assert_eq!(m.period, "2024");
    }

    #[test]
    fn comparators_decide_met_or_not() {
        use Comparator::*;
        assert_eq!(status(Some(AtMost), Some(115.0), Some(112.0)), ProgressStatus::Met);
        assert_eq!(status(Some(AtMost), Some(115.0), Some(116.0)), ProgressStatus::NotMet);
        assert_eq!(status(Some(LessThan), Some(15.0), Some(15.0)), ProgressStatus::NotMet);
        assert_eq!(status(Some(MoreThan), Some(95.0), Some(95.5)), ProgressStatus::Met);
        assert_eq!(status(Some(About), Some(85.0), Some(82.0)), ProgressStatus::Met);
        assert_eq!(status(Some(About), Some(85.0), Some(80.0)), ProgressStatus::NotMet);
        assert_eq!(status(Some(Achieved), None, Some(1.0)), ProgressStatus::Met);
        assert_eq!(status(None, None, Some(1.0)), ProgressStatus::NoData);
        assert_eq!(status(Some(AtLeast), Some(60.0), None), ProgressStatus::NoData);
    }

    fn by_sex(rows: &[(Sex, AreaId, &str, Total)]) -> TotalsBySex {
        let mut by_sex = TotalsBySex::new();
        for (sex, a, p, t) in rows {
            by_sex.entry(*sex).or_default().insert((*a, (*p).to_owned()), *t);
        }
        by_sex
    }

    fn values(measured: &[SexMeasured]) -> Vec<(Sex, Option<f64>, Option<&str>)> {
        measured
            .iter()
            .map(|m| (m.sex, m.measured.as_ref().map(|m| m.value), m.measured.as_ref().map(|m| m.period.as_str())))
            .collect()
    }

    #[test]
    fn a_scope_names_the_sexes_compared() {
        assert_eq!(SexScope::Total.sexes(), [Sex::Total]);
        assert_eq!(SexScope::Female.sexes(), [Sex::Female]);
        assert_eq!(SexScope::Male.sexes(), [Sex::Male]);
        assert_eq!(SexScope::EachSex.sexes(), [Sex::Female, Sex::Male]);
        assert_eq!(SexScope::default(), SexScope::Total);
    }

    #[test]
    fn one_sex_reads_its_own_values_only() {
        let t = by_sex(&[
            (Sex::Female, 1, "2024", total(96.0, None)),
            (Sex::Male, 1, "2024", total(88.0, None)),
            (Sex::Total, 1, "2024", total(92.0, None)),
        ]);
        let i = indicator(Unit::Percent);
        let female = measure_by_sex(&graph(), &t, &i, SexScope::Female, 1, None);
        assert_eq!(values(&female), [(Sex::Female, Some(96.0), Some("2024"))]);
        let all = measure_by_sex(&graph(), &t, &i, SexScope::Total, 1, None);
        assert_eq!(values(&all), [(Sex::Total, Some(92.0), Some("2024"))]);
    }

    #[test]
    fn each_sex_is_measured_in_the_latest_period_both_have() {
        // Girls reported for 2025-S1 already, boys not yet: both are compared in 2024.
        let t = by_sex(&[
            (Sex::Female, 1, "2024", total(96.0, None)),
            (Sex::Female, 1, "2025-S1", total(97.0, None)),
            (Sex::Male, 1, "2024", total(88.0, None)),
        ]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, 1, None);
        assert_eq!(values(&m), [(Sex::Female, Some(96.0), Some("2024")), (Sex::Male, Some(88.0), Some("2024"))]);
        // A period asked for is the period of both.
        let p = "2025-S1".parse().expect("period");
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, 1, Some(&p));
        assert_eq!(values(&m), [(Sex::Female, Some(97.0), Some("2025-S1")), (Sex::Male, None, None)]);
    }

    #[test]
    fn with_no_period_common_to_both_each_sex_shows_what_it_has() {
        let t = by_sex(&[(Sex::Female, 1, "2024", total(96.0, None))]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, 1, None);
        assert_eq!(values(&m), [(Sex::Female, Some(96.0), Some("2024")), (Sex::Male, None, None)]);
    }

    #[test]
    fn each_sex_rolls_up_from_its_own_numerators_and_denominators() {
        // Girls: 45 of 50 in A, 9 of 10 in B (90%); boys: 40 of 50 and 10 of 10 (83.3%).
        let t = by_sex(&[
            (Sex::Female, 1, "2024", total(90.0, Some((45.0, 50.0)))),
            (Sex::Female, 2, "2024", total(90.0, Some((9.0, 10.0)))),
            (Sex::Male, 1, "2024", total(80.0, Some((40.0, 50.0)))),
            (Sex::Male, 2, "2024", total(100.0, Some((10.0, 10.0)))),
        ]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, 3, None);
        assert_eq!(m[0].measured.as_ref().map(|m| (m.value, m.derived)), Some((90.0, true)));
        let boys = m[1].measured.as_ref().expect("boys");
        assert!((boys.value - 83.3333).abs() < 1e-3 && boys.derived, "{boys:?}");
        // A component missing for one sex: that sex has no value, the other still has its own.
        let t = by_sex(&[
            (Sex::Female, 1, "2024", total(90.0, Some((45.0, 50.0)))),
            (Sex::Female, 2, "2024", total(90.0, Some((9.0, 10.0)))),
            (Sex::Male, 1, "2024", total(80.0, Some((40.0, 50.0)))),
        ]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, 3, None);
        assert_eq!(values(&m), [(Sex::Female, Some(90.0), Some("2024")), (Sex::Male, None, None)]);
    }

    #[test]
    fn a_target_on_each_sex_is_met_only_when_every_sex_meets_it() {
        use ProgressStatus::*;
        let each = |f: Option<f64>, m: Option<f64>| {
            let statuses = [f, m].map(|v| status(Some(Comparator::MoreThan), Some(95.0), v));
            overall(&statuses)
        };
        assert_eq!(each(Some(96.0), Some(88.0)), NotMet);
        assert_eq!(each(Some(88.0), Some(96.0)), NotMet);
        assert_eq!(each(Some(96.0), Some(97.0)), Met);
        assert_eq!(each(Some(96.0), None), NoData);
        assert_eq!(each(Some(88.0), None), NoData, "a shortfall of one sex is no verdict while the other is unknown");
        assert_eq!(overall(&[Met]), Met);
        assert_eq!(overall(&[]), NoData);
    }
}
