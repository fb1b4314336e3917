//! Statistical disclosure control for partners (kiểm soát công bố số liệu): a small count of
//! a sensitive indicator (violence, trafficking) could point at a person, so it is not
//! published, and neither is any other cell of the same table that would let it be worked
//! out again by subtraction (female = total − male).
//!
//! A table is every published value of one indicator, area and period. Its cells are
//! keyed by sex, age group and ethnicity, and along each of these the total (`TOTAL`,
//! `_T`) is the sum of the other cells. A suppressed cell is recomputable when it is the
//! only suppressed member of such a sum and the others are known; then one more member is
//! suppressed (the smallest part, the total only when no part is left), until no sum has a
//! single hidden member.

use std::collections::{BTreeMap, HashSet};

use super::indicators::{Indicator, Unit};
use super::observations::{Observation, Sex, NOT_BROKEN_DOWN};

/// Counts below this are suppressed unless set otherwise (`GDH_DISCLOSURE_THRESHOLD`).
pub const DEFAULT_THRESHOLD: f64 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisclosureRule {
    pub threshold: f64,
}

impl Default for DisclosureRule {
    fn default() -> Self {
        DisclosureRule { threshold: DEFAULT_THRESHOLD }
    }
}

/// A cell's place in its table: (sex, age group, ethnicity), `None` for the total.
type Coordinates = [Option<String>; 3];

impl DisclosureRule {
    /// A count under the threshold, or a rate computed from one (the victims helped, or the
    /// victims there were).
    fn is_small(&self, indicator: &Indicator, o: &Observation) -> bool {
        (indicator.unit == Unit::Count && o.value < self.threshold)
            || o.numerator.is_some_and(|n| n < self.threshold)
            || o.denominator.is_some_and(|d| d < self.threshold)
    }

    /// The ids of the cells of one table (one indicator, area and period) that must not be
    /// published. Cells of other tables in `cells` are ignored.
    pub fn suppressed(&self, indicator: &Indicator, cells: &[Observation]) -> HashSet<i64> {
        if !indicator.sensitive {
            return HashSet::new();
        }
        let coordinates = |o: &Observation| -> Coordinates {
            let sex = match o.key.sex {
                Sex::Female => Some("F".to_owned()),
                Sex::Male => Some("M".to_owned()),
                Sex::Total => None,
            };
            let dimension = |d: &str| (d != NOT_BROKEN_DOWN).then(|| d.to_owned());
            [sex, dimension(&o.key.age_group), dimension(&o.key.ethnicity)]
        };
        let table: BTreeMap<Coordinates, &Observation> =
            cells.iter().filter(|o| o.key.indicator_code == indicator.code).map(|o| (coordinates(o), o)).collect();
        let mut hidden: HashSet<Coordinates> =
            table.iter().filter(|(_, o)| self.is_small(indicator, o)).map(|(c, _)| c.clone()).collect();
        if hidden.is_empty() {
            return HashSet::new();
        }

        // Each sum: a total and its parts, along one dimension with the other two fixed.
        let mut sums: Vec<(Coordinates, Vec<Coordinates>)> = Vec::new();
        for dimension in 0..3 {
            let mut by_rest: BTreeMap<Coordinates, Vec<Coordinates>> = BTreeMap::new();
            for c in table.keys().filter(|c| c[dimension].is_some()) {
                let mut total = c.clone();
                total[dimension] = None;
                by_rest.entry(total).or_default().push(c.clone());
            }
            for (total, parts) in by_rest {
                if table.contains_key(&total) {
                    sums.push((total, parts));
                }
            }
        }

        loop {
            let mut changed = false;
            for (total, parts) in &sums {
                let members = std::iter::once(total).chain(parts);
                if members.filter(|c| hidden.contains(*c)).count() != 1 {
                    continue;
                }
                let smallest_visible_part = parts
                    .iter()
                    .filter(|c| !hidden.contains(*c))
                    .min_by(|a, b| table[*a].value.total_cmp(&table[*b].value).then_with(|| a.cmp(b)));
                let next = smallest_visible_part.unwrap_or(total);
                hidden.insert(next.clone());
                changed = true;
            }
            if !changed {
                break;
            }
        }
        hidden.iter().filter_map(|c| table.get(c)).map(|o| o.id).collect()
    }
}

/// The values of one indicator, area and period as a caller may read them.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub cells: Vec<Observation>,
    /// Ids of the cells whose figures are withheld from this caller.
    pub suppressed: HashSet<i64>,
}

impl Table {
    /// The cell for a sex, not broken down by age group or ethnicity.
    pub fn by_sex(&self, sex: Sex) -> Option<&Observation> {
        self.cells
            .iter()
            .find(|o| o.key.sex == sex && o.key.age_group == NOT_BROKEN_DOWN && o.key.ethnicity == NOT_BROKEN_DOWN)
    }

    /// A cell's value, unless it is suppressed.
    pub fn published_value(&self, cell: &Observation) -> Option<f64> {
        (!self.suppressed.contains(&cell.id)).then_some(cell.value)
    }
}

/// A table's key: (indicator, area, period).
pub type TableId = (String, super::areas::AreaId, String);

impl DisclosureRule {
    /// Sorts values of any number of tables into their tables, applying the rule to each
    /// (only when `apply`: internal roles see every figure).
    pub fn tables(&self, indicators: &[Indicator], cells: Vec<Observation>, apply: bool) -> BTreeMap<TableId, Table> {
        let mut tables: BTreeMap<TableId, Table> = BTreeMap::new();
        for o in cells {
            let key = (o.key.indicator_code.clone(), o.key.area_id, o.key.period.clone());
            tables.entry(key).or_default().cells.push(o);
        }
        if apply {
            for ((indicator_code, _, _), table) in tables.iter_mut() {
                if let Some(indicator) = indicators.iter().find(|i| &i.code == indicator_code) {
                    table.suppressed = self.suppressed(indicator, &table.cells);
                }
            }
        }
        tables
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::observations::{ObservationKey, ObservationStatus};

    fn indicator(unit: Unit, sensitive: bool) -> Indicator {
        Indicator {
            code: "GBV".into(),
            name_vi: "GBV".into(),
            name_en: "GBV".into(),
            unit,
            direction: None,
            sex_disaggregated: true,
            dimensions: vec![],
            sensitive,
            sdg_code: None,
            source: None,
        }
    }

    fn cell(id: i64, sex: Sex, age: &str, value: f64) -> Observation {
        Observation {
            id,
            key: ObservationKey {
                indicator_code: "GBV".into(),
                area_id: 216,
                area_code: "216".into(),
                period: "2024".into(),
                sex,
                age_group: age.into(),
                ethnicity: NOT_BROKEN_DOWN.into(),
            },
            value,
            numerator: None,
            denominator: None,
            status: ObservationStatus::Approved,
            revision: 1,
            source_agency_code: None,
            reported_by: "t".into(),
            reported_at: Utc::now(),
            comment: None,
        }
    }

    fn ids(mut set: HashSet<i64>) -> Vec<i64> {
        let mut v: Vec<i64> = set.drain().collect();
        v.sort_unstable();
        v
    }

    const T: &str = NOT_BROKEN_DOWN;

    #[test]
    fn a_small_count_hides_the_other_sex_too_so_it_cannot_be_subtracted_out() {
        let cells = [cell(1, Sex::Female, T, 3.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 43.0)];
        let rule = DisclosureRule::default();
        assert_eq!(ids(rule.suppressed(&indicator(Unit::Count, true), &cells)), vec![1, 2]);
    }

    #[test]
    fn without_the_total_nothing_else_reveals_the_small_count() {
        let cells = [cell(1, Sex::Female, T, 3.0), cell(2, Sex::Male, T, 40.0)];
        assert_eq!(ids(DisclosureRule::default().suppressed(&indicator(Unit::Count, true), &cells)), vec![1]);
    }

    #[test]
    fn large_counts_and_indicators_that_are_not_sensitive_are_published() {
        let cells = [cell(1, Sex::Female, T, 5.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 45.0)];
        assert!(DisclosureRule::default().suppressed(&indicator(Unit::Count, true), &cells).is_empty());
        let small = [cell(1, Sex::Female, T, 1.0), cell(3, Sex::Total, T, 45.0)];
        assert!(DisclosureRule::default().suppressed(&indicator(Unit::Count, false), &small).is_empty());
    }

    #[test]
    fn the_threshold_is_a_setting() {
        let cells = [cell(1, Sex::Female, T, 8.0), cell(2, Sex::Male, T, 40.0), cell(3, Sex::Total, T, 48.0)];
        let rule = DisclosureRule { threshold: 10.0 };
        assert_eq!(ids(rule.suppressed(&indicator(Unit::Count, true), &cells)), vec![1, 2]);
    }

    #[test]
    fn a_rate_from_a_small_numerator_is_small() {
        let mut rate = cell(1, Sex::Female, T, 20.0);
        rate.numerator = Some(2.0);
        rate.denominator = Some(10.0);
        let cells = [rate, cell(2, Sex::Total, T, 30.0)];
        assert_eq!(ids(DisclosureRule::default().suppressed(&indicator(Unit::Percent, true), &cells)), vec![1, 2]);
    }

    #[test]
    fn suppression_spreads_across_age_groups_and_sexes_until_nothing_can_be_recomputed() {
        // Females by age: 15–19 = 2 (small), 20–24 = 30, total 32; males total 50; all 82.
        let cells = [
            cell(1, Sex::Female, "Y15T19", 2.0),
            cell(2, Sex::Female, "Y20T24", 30.0),
            cell(3, Sex::Female, T, 32.0),
            cell(4, Sex::Male, T, 50.0),
            cell(5, Sex::Total, T, 82.0),
        ];
        let hidden = ids(DisclosureRule::default().suppressed(&indicator(Unit::Count, true), &cells));
        // 15–19 hidden; then 20–24 (else 2 = 32 − 30).
        assert_eq!(hidden, vec![1, 2]);

        // With a male 15–19 cell and a 15–19 total, the age-group sum over sexes needs it too.
        let cells = [
            cell(1, Sex::Female, "Y15T19", 2.0),
            cell(2, Sex::Female, "Y20T24", 30.0),
            cell(3, Sex::Female, T, 32.0),
            cell(6, Sex::Male, "Y15T19", 9.0),
            cell(7, Sex::Total, "Y15T19", 11.0),
        ];
        let hidden = ids(DisclosureRule::default().suppressed(&indicator(Unit::Count, true), &cells));
        assert_eq!(hidden, vec![1, 2, 6]);
    }
}
