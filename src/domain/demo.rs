//! Demo data (`seed --demo`): deterministic synthetic values for every measured target of
//! the seeded plans, 2021–2024, so a newcomer sees progress and gender gaps at once. Every
//! value says it is synthetic, in its comment and in who reported it; real data never
//! comes from here, nothing here is loaded without the flag, and a key that holds a value
//! is left as it is.

use std::collections::{BTreeSet, HashMap};

use super::indicators::{Direction, Indicator, Unit};
use super::observations::{ObservationInput, ObservationKey, Sex, NOT_BROKEN_DOWN};
use super::plans::Target;

pub const DEMO_SUBJECT: &str = "seed --demo (synthetic)";
pub const DEMO_COMMENT: &str = "Synthetic demo value from `seed --demo`: not real data.";
const YEARS: std::ops::RangeInclusive<i32> = 2021..=2024;
/// People counted per sex in a synthetic rate, so rates carry numerators and denominators.
const DENOMINATOR: f64 = 1_000.0;

/// A value moving toward `target` over the years, from a start 15% off on the wrong side.
fn trend(target: f64, direction: Option<Direction>, year: i32) -> f64 {
    let step = f64::from(year - YEARS.start()) / f64::from(YEARS.end() - YEARS.start());
    let start = match direction {
        Some(Direction::LowerIsBetter) => target * 1.15,
        _ => target * 0.85,
    };
    start + (target - start) * step
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The rows for one indicator in one area.
fn rows_for(indicator: &Indicator, area: &str, target: Option<f64>) -> Vec<ObservationInput> {
    let row = |period: String, sex: Sex, value: f64, rate: Option<(f64, f64)>| ObservationInput {
        indicator_code: indicator.code.clone(),
        area_code: area.to_owned(),
        period,
        sex,
        age_group: None,
        ethnicity: None,
        value,
        numerator: rate.map(|r| r.0),
        denominator: rate.map(|r| r.1),
        comment: Some(DEMO_COMMENT.to_owned()),
    };
    let mut rows = Vec::new();
    for year in YEARS {
        let period = year.to_string();
        match (indicator.unit, indicator.unit.scale()) {
            (Unit::Boolean, _) => rows.push(row(period, Sex::Total, f64::from(u8::from(year == *YEARS.end())), None)),
            (Unit::Count, _) => rows.push(row(period, Sex::Total, (10 + year - YEARS.start()).into(), None)),
            (_, Some(scale)) => {
                let base = target.unwrap_or(scale / 2.0);
                let value = trend(base, indicator.direction, year).min(if indicator.unit == Unit::Percent {
                    100.0
                } else {
                    f64::MAX
                });
                if indicator.sex_disaggregated && indicator.unit == Unit::Percent {
                    // Girls a little ahead of boys, and a total made of both.
                    let female = (value * 1.02).min(100.0);
                    let male = value * 0.98;
                    let (nf, nm) = ((female / scale * DENOMINATOR).round(), (male / scale * DENOMINATOR).round());
                    rows.push(row(
                        period.clone(),
                        Sex::Female,
                        round1(nf / DENOMINATOR * scale),
                        Some((nf, DENOMINATOR)),
                    ));
                    rows.push(row(
                        period.clone(),
                        Sex::Male,
                        round1(nm / DENOMINATOR * scale),
                        Some((nm, DENOMINATOR)),
                    ));
                    let total = (nf + nm) / (2.0 * DENOMINATOR) * scale;
                    rows.push(row(period, Sex::Total, round1(total), Some((nf + nm, 2.0 * DENOMINATOR))));
                } else {
                    rows.push(row(period, Sex::Total, round1(value), None));
                }
            }
            (_, None) => {}
        }
    }
    rows
}

/// The demo values of every measured target: one series per indicator and area, even where
/// two targets share them, trending toward the target.
pub fn rows(indicators: &HashMap<String, Indicator>, targets: &[Target]) -> Vec<ObservationInput> {
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    for t in targets {
        let Some(indicator) = t.indicator_code.as_ref().and_then(|c| indicators.get(c)) else { continue };
        if seen.insert((indicator.code.clone(), t.plan_area_code.clone())) {
            rows.extend(rows_for(indicator, &t.plan_area_code, t.value));
        }
    }
    rows
}

/// The demo rows for keys that hold no value yet, and how many were left out: a demo never
/// overwrites a value someone reported (nor an earlier demo value).
pub fn for_empty_keys(
    rows: Vec<ObservationInput>,
    held: &std::collections::HashSet<WrittenKey>,
) -> (Vec<ObservationInput>, usize) {
    let total = rows.len();
    let kept: Vec<ObservationInput> = rows.into_iter().filter(|r| !held.contains(&key_of(r))).collect();
    let skipped = total - kept.len();
    (kept, skipped)
}

/// A key as a push writes it: with the area's code, which with the period names one unit.
pub type WrittenKey = (String, String, String, Sex, String, String);

/// A stored value's key, as written.
pub fn written_key(key: &ObservationKey) -> WrittenKey {
    let k = key.clone();
    (k.indicator_code, k.area_code, k.period, k.sex, k.age_group, k.ethnicity)
}

/// A demo row's key: the rows are written in canonical form, with no breakdown.
fn key_of(row: &ObservationInput) -> WrittenKey {
    let dimension = |d: &Option<String>| d.clone().unwrap_or_else(|| NOT_BROKEN_DOWN.to_owned());
    let row = row.clone();
    (row.indicator_code, row.area_code, row.period, row.sex, dimension(&row.age_group), dimension(&row.ethnicity))
}
