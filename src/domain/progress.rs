//! Progress toward a target (tiến độ thực hiện chỉ tiêu): the latest value for the target's
//! area, compared with the target. Where an area has no value of its own, it is rolled up
//! from the units that make it up in that period — its sub-areas, and the units it replaced
//! after a boundary change — counts summed, rates recomputed from summed numerators and
//! denominators, never averaged. A roll-up needs every component: a partial sum would
//! understate the whole.

use std::collections::HashMap;

use super::areas::{Area, Succession};
use super::indicators::{Indicator, Unit};
use super::named_enum;
use super::periods::Period;
use super::plans::Comparator;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgressStatus {
    Met,
    NotMet,
    NoData,
}
named_enum!(ProgressStatus { Met = "MET", NotMet = "NOT_MET", NoData = "NO_DATA" });

/// A total (both sexes, not broken down) reported for one area and period.
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

/// Totals of one indicator, by (area, period).
pub type Totals = HashMap<(String, String), Total>;

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
    let candidates: Vec<Period> = match period {
        Some(p) => vec![*p],
        None => {
            let mut periods: Vec<Period> = totals.keys().filter_map(|(_, p)| p.parse().ok()).collect();
            periods.sort_by_key(|p: &Period| {
                let (first, last) = p.days();
                // latest end first; of two ending together, the longer (the year over its half)
                (std::cmp::Reverse(last), first)
            });
            periods.dedup();
            periods
        }
    };
    candidates.iter().find_map(|p| {
        value_at(graph, totals, indicator.unit, area, p, 0).map(|(total, derived)| Measured {
            value: total.value,
            period: p.to_string(),
            derived,
        })
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
}
