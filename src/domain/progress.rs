//! Progress toward a target (tiến độ thực hiện chỉ tiêu): the latest value for the target's
//! area, compared with the target. Where an area has no value of its own, it is rolled up
//! from the units that make it up in that period — its sub-areas, and the units it replaced
//! after a boundary change — counts summed, rates recomputed from summed numerators and
//! denominators, never averaged. A roll-up needs every component: a partial sum would
//! understate the whole. A target measured on one sex reads that sex's values; one measured
//! on each sex reads both, in the same period, and is met only when each sex meets it.

use std::collections::HashMap;

use super::areas::{Area, Succession};
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

/// A value reported for one area, period and sex, not broken down by age group or ethnicity.
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
    /// Rolled up from sub-areas or predecessor areas.
    pub derived: bool,
}

/// Administrative units and their boundary changes, to find what makes up an area.
pub struct AreaGraph {
    areas: HashMap<String, Area>,
    children: HashMap<String, Vec<String>>,
    predecessors: HashMap<String, Vec<String>>,
}

impl AreaGraph {
    pub fn new(areas: Vec<Area>, successions: Vec<Succession>) -> AreaGraph {
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for a in &areas {
            if let Some(parent) = &a.parent_code {
                children.entry(parent.clone()).or_default().push(a.code.clone());
            }
        }
        let mut predecessors: HashMap<String, Vec<String>> = HashMap::new();
        for s in successions {
            predecessors.entry(s.successor_code).or_default().push(s.predecessor_code);
        }
        AreaGraph { areas: areas.into_iter().map(|a| (a.code.clone(), a)).collect(), children, predecessors }
    }

    fn existed_during(&self, code: &str, period: &Period) -> bool {
        let Some(area) = self.areas.get(code) else { return false };
        let (first, last) = period.days();
        area.valid_from.is_none_or(|from| from <= last) && area.valid_to.is_none_or(|to| to >= first)
    }

    /// The units whose values add up to `code`'s in `period`.
    fn components(&self, code: &str, period: &Period) -> Vec<&str> {
        let children = self.children.get(code).into_iter().flatten();
        let predecessors = self.predecessors.get(code).into_iter().flatten();
        children.chain(predecessors).map(String::as_str).filter(|c| self.existed_during(c, period)).collect()
    }

    /// The area, its components, their components, and so on: every area whose values
    /// may count toward it.
    pub fn family(&self, code: &str) -> Vec<String> {
        let mut seen = vec![code.to_owned()];
        let mut i = 0;
        while i < seen.len() {
            let current = seen[i].clone();
            let next = self
                .children
                .get(&current)
                .into_iter()
                .flatten()
                .chain(self.predecessors.get(&current).into_iter().flatten());
            for c in next {
                if !seen.contains(c) {
                    seen.push(c.clone());
                }
            }
            i += 1;
        }
        seen
    }
}

/// Totals of one indicator and sex, by (area, period).
pub type Totals = HashMap<(String, String), Total>;

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
    area: &str,
    period: &Period,
    depth: usize,
) -> Option<(Total, bool)> {
    if let Some(own) = totals.get(&(area.to_owned(), period.to_string())) {
        return Some((*own, false));
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let components = graph.components(area, period);
    if components.is_empty() {
        return None;
    }
    let parts: Option<Vec<Total>> =
        components.iter().map(|c| value_at(graph, totals, unit, c, period, depth + 1).map(|(t, _)| t)).collect();
    let parts = parts?;
    // A unit renamed or moved whole: its value is the value, whatever the unit.
    if let [only] = parts.as_slice() {
        return Some((*only, true));
    }
    if unit == Unit::Count {
        let value = parts.iter().map(|p| p.value).sum();
        return Some((Total { value, numerator: None, denominator: None }, true));
    }
    let scale = unit.scale()?;
    let numerator: f64 = parts.iter().map(|p| p.numerator).sum::<Option<f64>>()?;
    let denominator: f64 = parts.iter().map(|p| p.denominator).sum::<Option<f64>>()?;
    if denominator <= 0.0 {
        return None;
    }
    Some((
        Total { value: numerator / denominator * scale, numerator: Some(numerator), denominator: Some(denominator) },
        true,
    ))
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

fn measured_at(graph: &AreaGraph, totals: &Totals, unit: Unit, area: &str, period: &Period) -> Option<Measured> {
    value_at(graph, totals, unit, area, period, 0).map(|(total, derived)| Measured {
        value: total.value,
        period: period.to_string(),
        derived,
    })
}

/// The value to compare for `area`: in `period` when given, else in the latest period
/// for which one can be had (own or rolled up).
pub fn measure(
    graph: &AreaGraph,
    totals: &Totals,
    indicator: &Indicator,
    area: &str,
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
    area: &str,
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

    fn area(code: &str, parent: Option<&str>, valid_to: Option<&str>, valid_from: Option<&str>) -> Area {
        let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
        Area {
            code: code.into(),
            name: code.into(),
            level: AreaLevel::Province,
            parent_code: parent.map(Into::into),
            valid_from: valid_from.map(date),
            valid_to: valid_to.map(date),
            source: None,
        }
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

    /// A and B merged into C on 2025-07-01; A has districts A1 and A2.
    fn graph() -> AreaGraph {
        AreaGraph::new(
            vec![
                area("A", None, Some("2025-06-30"), None),
                area("B", None, Some("2025-06-30"), None),
                area("C", None, None, Some("2025-07-01")),
                area("A1", Some("A"), Some("2025-06-30"), None),
                area("A2", Some("A"), Some("2025-06-30"), None),
            ],
            vec![
                Succession { predecessor_code: "A".into(), successor_code: "C".into() },
                Succession { predecessor_code: "B".into(), successor_code: "C".into() },
            ],
        )
    }

    fn totals(rows: &[(&str, &str, Total)]) -> Totals {
        rows.iter().map(|(a, p, t)| (((*a).to_owned(), (*p).to_owned()), *t)).collect()
    }

    #[test]
    fn an_own_value_is_used_as_it_is() {
        let t = totals(&[("A", "2024", total(40.0, None)), ("A1", "2024", total(1.0, None))]);
        let m = measure(&graph(), &t, &indicator(Unit::Count), "A", None).expect("value");
        assert_eq!(m, Measured { value: 40.0, period: "2024".into(), derived: false });
    }

    #[test]
    fn counts_roll_up_as_sums_across_a_merger() {
        let t = totals(&[
            ("A1", "2024", total(3.0, None)),
            ("A2", "2024", total(4.0, None)),
            ("B", "2024", total(5.0, None)),
        ]);
        let m =
            measure(&graph(), &t, &indicator(Unit::Count), "C", Some(&"2024".parse().expect("period"))).expect("value");
        assert_eq!(m, Measured { value: 12.0, period: "2024".into(), derived: true });
    }

    #[test]
    fn rates_roll_up_from_summed_numerators_never_averaged() {
        // 90% of 100 and 50% of 10: the whole is 95/110 = 86.36%, not the mean 70%.
        let t =
            totals(&[("A", "2024", total(90.0, Some((90.0, 100.0)))), ("B", "2024", total(50.0, Some((5.0, 10.0))))]);
        let m = measure(&graph(), &t, &indicator(Unit::Percent), "C", None).expect("value");
        assert!((m.value - 86.3636).abs() < 1e-3, "{m:?}");
        assert!(m.derived);
    }

    #[test]
    fn a_missing_component_or_denominator_means_no_roll_up() {
        let t = totals(&[("A", "2024", total(3.0, None))]);
        assert_eq!(measure(&graph(), &t, &indicator(Unit::Count), "C", None), None, "B is missing");
        let t = totals(&[("A", "2024", total(90.0, None)), ("B", "2024", total(50.0, Some((5.0, 10.0))))]);
        assert_eq!(measure(&graph(), &t, &indicator(Unit::Percent), "C", None), None, "A has no denominator");
    }

    #[test]
    fn a_single_predecessor_passes_its_value_on_even_without_a_denominator() {
        let graph = AreaGraph::new(
            vec![area("A", None, Some("2025-06-30"), None), area("D", None, None, Some("2025-07-01"))],
            vec![Succession { predecessor_code: "A".into(), successor_code: "D".into() }],
        );
        let t = totals(&[("A", "2024", total(112.0, None))]);
        let m = measure(&graph, &t, &indicator(Unit::RatioPer100), "D", None).expect("value");
        assert_eq!(m, Measured { value: 112.0, period: "2024".into(), derived: true });
    }

    #[test]
    fn the_latest_period_is_chosen() {
        let t = totals(&[
            ("A", "2023", total(1.0, None)),
            ("A", "2024-S1", total(2.0, None)),
            ("A", "2024", total(3.0, None)),
        ]);
        let m = measure(&graph(), &t, &indicator(Unit::Count), "A", None).expect("value");
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

    fn by_sex(rows: &[(Sex, &str, &str, Total)]) -> TotalsBySex {
        let mut by_sex = TotalsBySex::new();
        for (sex, a, p, t) in rows {
            by_sex.entry(*sex).or_default().insert(((*a).to_owned(), (*p).to_owned()), *t);
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
            (Sex::Female, "A", "2024", total(96.0, None)),
            (Sex::Male, "A", "2024", total(88.0, None)),
            (Sex::Total, "A", "2024", total(92.0, None)),
        ]);
        let i = indicator(Unit::Percent);
        let female = measure_by_sex(&graph(), &t, &i, SexScope::Female, "A", None);
        assert_eq!(values(&female), [(Sex::Female, Some(96.0), Some("2024"))]);
        let all = measure_by_sex(&graph(), &t, &i, SexScope::Total, "A", None);
        assert_eq!(values(&all), [(Sex::Total, Some(92.0), Some("2024"))]);
    }

    #[test]
    fn each_sex_is_measured_in_the_latest_period_both_have() {
        // Girls reported for 2025-S1 already, boys not yet: both are compared in 2024.
        let t = by_sex(&[
            (Sex::Female, "A", "2024", total(96.0, None)),
            (Sex::Female, "A", "2025-S1", total(97.0, None)),
            (Sex::Male, "A", "2024", total(88.0, None)),
        ]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, "A", None);
        assert_eq!(values(&m), [(Sex::Female, Some(96.0), Some("2024")), (Sex::Male, Some(88.0), Some("2024"))]);
        // A period asked for is the period of both.
        let p = "2025-S1".parse().expect("period");
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, "A", Some(&p));
        assert_eq!(values(&m), [(Sex::Female, Some(97.0), Some("2025-S1")), (Sex::Male, None, None)]);
    }

    #[test]
    fn with_no_period_common_to_both_each_sex_shows_what_it_has() {
        let t = by_sex(&[(Sex::Female, "A", "2024", total(96.0, None))]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, "A", None);
        assert_eq!(values(&m), [(Sex::Female, Some(96.0), Some("2024")), (Sex::Male, None, None)]);
    }

    #[test]
    fn each_sex_rolls_up_from_its_own_numerators_and_denominators() {
        // Girls: 45 of 50 in A, 9 of 10 in B (90%); boys: 40 of 50 and 10 of 10 (83.3%).
        let t = by_sex(&[
            (Sex::Female, "A", "2024", total(90.0, Some((45.0, 50.0)))),
            (Sex::Female, "B", "2024", total(90.0, Some((9.0, 10.0)))),
            (Sex::Male, "A", "2024", total(80.0, Some((40.0, 50.0)))),
            (Sex::Male, "B", "2024", total(100.0, Some((10.0, 10.0)))),
        ]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, "C", None);
        assert_eq!(m[0].measured.as_ref().map(|m| (m.value, m.derived)), Some((90.0, true)));
        let boys = m[1].measured.as_ref().expect("boys");
        assert!((boys.value - 83.3333).abs() < 1e-3 && boys.derived, "{boys:?}");
        // A component missing for one sex: that sex has no value, the other still has its own.
        let t = by_sex(&[
            (Sex::Female, "A", "2024", total(90.0, Some((45.0, 50.0)))),
            (Sex::Female, "B", "2024", total(90.0, Some((9.0, 10.0)))),
            (Sex::Male, "A", "2024", total(80.0, Some((40.0, 50.0)))),
        ]);
        let m = measure_by_sex(&graph(), &t, &indicator(Unit::Percent), SexScope::EachSex, "C", None);
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
