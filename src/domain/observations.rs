//! Reported values (số liệu) and the rules a push must pass. Validation is pure: the caller
//! gathers what it needs (catalogue, areas, the caller's reach) into a `PushRules`, and
//! `validate` answers with the rows that may be written and an error per rejected row.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::areas::{unit_for_period, unknown_area_message, Area, AreaId};
use super::indicators::{Dimension, Indicator, Unit};
use super::named_enum;
use super::periods::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    Female,
    Male,
    Total,
}
named_enum!(Sex { Female = "FEMALE", Male = "MALE", Total = "TOTAL" });

impl Sex {
    /// Every way a sex is written to the hub, for messages.
    pub const WORDS: &'static str = "F, M or T (or FEMALE, MALE, TOTAL; SDMX _T; Nữ, Nam, Tổng)";

    /// A sex in any of the words people and tools write (`WORDS`), in any case: the feed's
    /// `F`/`M`/`T`, the API's `FEMALE`/`MALE`/`TOTAL`, SDMX's `_T`, Vietnamese `Nữ`/`Nam`/`Tổng`.
    pub fn read(word: &str) -> Option<Sex> {
        // Composed, as a Mac or a Vietnamese keyboard may send `Nữ` decomposed.
        let word: String = unicode_normalization::UnicodeNormalization::nfc(word.trim()).collect();
        match word.to_lowercase().as_str() {
            "f" | "female" | "nữ" | "nu" => Some(Sex::Female),
            "m" | "male" | "nam" => Some(Sex::Male),
            "t" | "_t" | "total" | "tổng" | "tong" | "tổng số" => Some(Sex::Total),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObservationStatus {
    Submitted,
    Approved,
    Rejected,
}
named_enum!(ObservationStatus { Submitted = "SUBMITTED", Approved = "APPROVED", Rejected = "REJECTED" });

/// What a breakdown holds when a value is not broken down by it (SDMX's code for "total").
pub const NOT_BROKEN_DOWN: &str = "_T";

/// The import error codes of DESIGN.md, in `ImportError.code` and the CSV summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportErrorCode {
    UnknownIndicator,
    UnknownArea,
    AreaNotValidForPeriod,
    BadPeriod,
    BadSex,
    BadDimension,
    BadValue,
    NumeratorMismatch,
    DuplicateRow,
    InconsistentTotal,
    NotAssigned,
    OutOfArea,
    TooManyRows,
}
named_enum!(ImportErrorCode {
    UnknownIndicator = "UNKNOWN_INDICATOR",
    UnknownArea = "UNKNOWN_AREA",
    AreaNotValidForPeriod = "AREA_NOT_VALID_FOR_PERIOD",
    BadPeriod = "BAD_PERIOD",
    BadSex = "BAD_SEX",
    BadDimension = "BAD_DIMENSION",
    BadValue = "BAD_VALUE",
    NumeratorMismatch = "NUMERATOR_MISMATCH",
    DuplicateRow = "DUPLICATE_ROW",
    InconsistentTotal = "INCONSISTENT_TOTAL",
    NotAssigned = "NOT_ASSIGNED",
    OutOfArea = "OUT_OF_AREA",
    TooManyRows = "TOO_MANY_ROWS",
});

/// One problem of one row. `row` counts from 1: the first observation of a push, or the
/// first data line of a CSV file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportError {
    pub row: usize,
    pub field: Option<String>,
    pub code: ImportErrorCode,
    pub message: String,
}

/// A stored value at its current revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub id: i64,
    pub key: ObservationKey,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub status: ObservationStatus,
    pub revision: i32,
    pub source_agency_code: Option<String>,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
    pub comment: Option<String>,
}

/// One entry of a value's history: each push that created or changed it, and its review.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRevision {
    pub observation_id: i64,
    pub revision: i32,
    pub value: f64,
    pub status: ObservationStatus,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_reason: Option<String>,
}

/// Which observations a read returns. Units are already narrowed to the caller's reach.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ObservationQuery {
    /// `None`: any indicator.
    pub indicator_codes: Option<Vec<String>>,
    /// `None`: any area.
    pub area_ids: Option<Vec<AreaId>>,
    /// `None`: any period.
    pub periods: Option<Vec<String>>,
    pub sex: Option<Sex>,
    pub status: Option<ObservationStatus>,
    /// Partners: only values with an approved revision, as that revision stood.
    pub published_only: bool,
    pub order: ObservationOrder,
    /// Keyset pagination: what comes after this value in the query's order.
    pub after: Option<After>,
    pub limit: usize,
    /// Whether to count everything the query selects as well (a page's `totalCount`):
    /// counting reads every selected row, so only when asked.
    pub counted: bool,
}

/// The order values are read in. Either way a value's place does not change when others
/// are pushed, so cursors stay valid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ObservationOrder {
    /// By id: the order values were first reported in.
    #[default]
    Id,
    /// By period as written, then id: chronological for periods of one kind (a series of
    /// years, or of months); within a year, the year itself comes before its months,
    /// quarters and halves.
    Period,
}
named_enum!(ObservationOrder { Id = "ID", Period = "PERIOD" });

/// The last value of a page, where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct After {
    pub id: i64,
    /// Its period, when reading by period.
    pub period: Option<String>,
}

impl After {
    /// Where the page after `o` starts, in `order`.
    pub fn value(o: &Observation, order: ObservationOrder) -> After {
        let period = (order == ObservationOrder::Period).then(|| o.key.period.clone());
        After { id: o.id, period }
    }
}

impl ObservationQuery {
    /// Whether a value is one this query selects (ignoring paging): for a live feed,
    /// which hears of changed values one by one.
    pub fn selects(&self, o: &Observation) -> bool {
        self.indicator_codes.as_ref().is_none_or(|c| c.contains(&o.key.indicator_code))
            && self.area_ids.as_ref().is_none_or(|ids| ids.contains(&o.key.area_id))
            && self.periods.as_ref().is_none_or(|p| p.contains(&o.key.period))
            && self.sex.is_none_or(|s| s == o.key.sex)
            && self.status.is_none_or(|s| s == o.status)
    }

    /// Puts values in the query's order.
    pub fn sort(&self, rows: &mut [Observation]) {
        match self.order {
            ObservationOrder::Id => rows.sort_unstable_by_key(|o| o.id),
            ObservationOrder::Period => rows.sort_unstable_by(|a, b| (&a.key.period, a.id).cmp(&(&b.key.period, b.id))),
        }
    }
}

/// A reviewer's decision on submitted values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// One value to push, as the client sends it, before any check.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationInput {
    pub indicator_code: String,
    pub area_code: String,
    /// "2024", "2024-S1", "2024-Q3" or "2024-06".
    pub period: String,
    pub sex: Sex,
    pub age_group: Option<String>,
    pub ethnicity: Option<String>,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub comment: Option<String>,
}

/// The natural key: a second push of the same key updates, never duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObservationKey {
    pub indicator_code: String,
    /// The unit the value is for; `area_code` is its code, as the push wrote it.
    pub area_id: AreaId,
    pub area_code: String,
    pub period: String,
    pub sex: Sex,
    pub age_group: String,
    pub ethnicity: String,
}

/// A row that passed every check, in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidObservation {
    pub row: usize,
    pub key: ObservationKey,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub comment: Option<String>,
}

/// Everything `validate` needs to know about the world.
pub struct PushRules<'a> {
    pub indicators: &'a HashMap<String, Indicator>,
    /// Every unit that ever held a code the push names, by code.
    pub holders: &'a HashMap<String, Vec<Area>>,
    /// Those units' ancestors, by id.
    pub ancestors: &'a HashMap<AreaId, Area>,
    /// For a code that names no unit: the units whose name it is (someone wrote a name).
    pub named: &'a HashMap<String, Vec<Area>>,
    /// Whether the caller may write for a unit (its reach).
    pub in_reach: &'a (dyn Fn(AreaId) -> bool + Send + Sync),
    /// For an agency reporter: the (indicator, plan unit) pairs its agency is assigned to.
    /// A value for unit X is allowed when a plan of X or of an ancestor of X assigns it.
    /// `None` for roles that may push any indicator.
    pub assigned: Option<&'a HashSet<(String, AreaId)>>,
}

/// Checks every row; a row with several problems gets one error per problem.
pub fn validate(rows: Vec<ObservationInput>, rules: &PushRules<'_>) -> (Vec<ValidObservation>, Vec<ImportError>) {
    let mut valid = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (i, input) in rows.into_iter().enumerate() {
        let row = i + 1;
        let before = errors.len();
        let checked = check_row(row, input, rules, &mut errors);
        if errors.len() == before {
            if let Some(observation) = checked {
                valid.push(observation);
            }
        }
    }
    reject_duplicates(&mut valid, &mut errors);
    reject_inconsistent_totals(&mut valid, &mut errors, rules.indicators);
    errors.sort_by_key(|e| e.row);
    (valid, errors)
}

fn check_row(
    row: usize,
    input: ObservationInput,
    rules: &PushRules<'_>,
    errors: &mut Vec<ImportError>,
) -> Option<ValidObservation> {
    let mut error = |field: &'static str, code: ImportErrorCode, message: String| {
        errors.push(ImportError { row, field: Some(field.to_owned()), code, message });
    };
    let indicator = rules.indicators.get(&input.indicator_code);
    if indicator.is_none() {
        error("indicatorCode", ImportErrorCode::UnknownIndicator, format!("no indicator `{}`", input.indicator_code));
    }
    let period = match input.period.parse::<Period>() {
        Ok(p) => Some(p),
        Err(e) => {
            error("period", ImportErrorCode::BadPeriod, e.to_string());
            None
        }
    };
    let holders = rules.holders.get(&input.area_code).filter(|h| !h.is_empty());
    // The unit the code names in the period; with no period to read it in, the one
    // holding it now stands in, so the row's other problems are still reported.
    let area = match (holders, &period) {
        (None, _) => {
            let named = rules.named.get(&input.area_code).map_or(&[][..], Vec::as_slice);
            error("areaCode", ImportErrorCode::UnknownArea, unknown_area_message(&input.area_code, named));
            None
        }
        (Some(holders), Some(period)) => {
            let unit = unit_for_period(holders, period);
            if unit.is_none() {
                let held: Vec<String> = holders.iter().map(Area::label).collect();
                error(
                    "period",
                    ImportErrorCode::AreaNotValidForPeriod,
                    format!("no unit held code {} in {period}: {}", input.area_code, held.join("; ")),
                );
            }
            unit
        }
        (Some(holders), None) => holders.iter().max_by_key(|a| a.valid_from),
    };
    let in_reach = area.is_some_and(|a| (rules.in_reach)(a.id));
    if let (Some(area), false) = (area, in_reach) {
        error(
            "areaCode",
            ImportErrorCode::OutOfArea,
            format!("area {} is outside the area of your token", area.label()),
        );
    }
    let age_group = dimension(&input.age_group, Dimension::AgeGroup, "ageGroup", indicator, &mut error);
    let ethnicity = dimension(&input.ethnicity, Dimension::Ethnicity, "ethnicity", indicator, &mut error);

    if let Some(indicator) = indicator {
        if !indicator.sex_disaggregated && input.sex != Sex::Total {
            error(
                "sex",
                ImportErrorCode::BadSex,
                format!("indicator {} is not disaggregated by sex: report TOTAL", indicator.code),
            );
        }
        check_value(&input, indicator, &mut error);
        // Outside the caller's area, OUT_OF_AREA already says all.
        if let (Some(assigned), Some(area), true) = (rules.assigned, area, in_reach) {
            let mut covering = Some(area);
            let mut allowed = false;
            while let Some(a) = covering {
                if assigned.contains(&(indicator.code.clone(), a.id)) {
                    allowed = true;
                    break;
                }
                covering = a.parent_id.and_then(|p| rules.ancestors.get(&p));
            }
            if !allowed {
                error(
                    "indicatorCode",
                    ImportErrorCode::NotAssigned,
                    format!(
                        "your agency is not assigned a target measured by {} in a plan covering area {}",
                        indicator.code, area.code
                    ),
                );
            }
        }
    }
    Some(ValidObservation {
        row,
        key: ObservationKey {
            area_id: area?.id,
            indicator_code: input.indicator_code,
            area_code: input.area_code,
            period: period?.to_string(),
            sex: input.sex,
            age_group: age_group?,
            ethnicity: ethnicity?,
        },
        value: input.value,
        numerator: input.numerator,
        denominator: input.denominator,
        comment: input.comment.filter(|c| !c.trim().is_empty()),
    })
}

const MAX_DIMENSION_LEN: usize = 32;

/// A breakdown's canonical code (`_T` when absent), if the indicator accepts it.
fn dimension(
    value: &Option<String>,
    dimension: Dimension,
    field: &'static str,
    indicator: Option<&Indicator>,
    error: &mut impl FnMut(&'static str, ImportErrorCode, String),
) -> Option<String> {
    let code = value.as_deref().map(str::trim).filter(|v| !v.is_empty() && *v != NOT_BROKEN_DOWN);
    let Some(code) = code else { return Some(NOT_BROKEN_DOWN.to_owned()) };
    let well_formed = code.len() <= MAX_DIMENSION_LEN
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'<' | b'>'));
    if !well_formed {
        error(
            field,
            ImportErrorCode::BadDimension,
            format!("`{code}` is not a {dimension} code (letters, digits, _ - + < >; at most {MAX_DIMENSION_LEN})"),
        );
        return None;
    }
    if let Some(indicator) = indicator {
        if !indicator.dimensions.contains(&dimension) {
            error(
                field,
                ImportErrorCode::BadDimension,
                format!("indicator {} is not broken down by {dimension}", indicator.code),
            );
            return None;
        }
    }
    Some(code.to_owned())
}

fn check_value(
    input: &ObservationInput,
    indicator: &Indicator,
    error: &mut impl FnMut(&'static str, ImportErrorCode, String),
) {
    let value = input.value;
    let unit = indicator.unit;
    let problem = if !value.is_finite() {
        Some("is not a number".to_owned())
    } else if value < 0.0 {
        Some("is negative".to_owned())
    } else {
        match unit {
            Unit::Percent if value > 100.0 => Some("is over 100 per cent".to_owned()),
            Unit::Count if value.fract() != 0.0 => Some("is a fractional count".to_owned()),
            Unit::Boolean if value != 0.0 && value != 1.0 => {
                Some("must be 1 (achieved) or 0 (not achieved)".to_owned())
            }
            _ => None,
        }
    };
    if let Some(problem) = problem {
        error("value", ImportErrorCode::BadValue, format!("value {value} {problem} ({unit})"));
        return;
    }
    match (input.numerator, input.denominator) {
        (None, None) => {}
        (Some(_), None) | (None, Some(_)) => error(
            if input.numerator.is_none() { "numerator" } else { "denominator" },
            ImportErrorCode::BadValue,
            "give both numerator and denominator, or neither".to_owned(),
        ),
        (Some(n), Some(d)) => {
            if !n.is_finite() || n < 0.0 {
                error("numerator", ImportErrorCode::BadValue, format!("numerator {n} must be a number ≥ 0"));
            } else if !d.is_finite() || d <= 0.0 {
                error("denominator", ImportErrorCode::BadValue, format!("denominator {d} must be a number > 0"));
            } else if let Some(scale) = unit.scale() {
                let expected = n / d * scale;
                // Reported values are rounded, usually to one decimal: off by up to 0.05,
                // and a hair more in floating point (42.55 rounds to 42.6).
                let tolerance = 0.05_f64.max(expected.abs() * 1e-3) + 1e-9;
                if (value - expected).abs() > tolerance {
                    error(
                        "value",
                        ImportErrorCode::NumeratorMismatch,
                        format!("value {value} differs from numerator/denominator ({n}/{d} → {expected:.2})"),
                    );
                }
            } else {
                error(
                    "numerator",
                    ImportErrorCode::BadValue,
                    format!("a {unit} value takes no numerator or denominator"),
                );
            }
        }
    }
}

/// The same key twice in one push: every occurrence is rejected, since which one is right
/// cannot be told.
fn reject_duplicates(valid: &mut Vec<ValidObservation>, errors: &mut Vec<ImportError>) {
    // A push seldom repeats a key: a set for the common case, and the rows of each key
    // gathered only when one repeats (not a list allocated for every key of every push).
    let mut seen: HashSet<&ObservationKey> = HashSet::with_capacity(valid.len());
    if valid.iter().all(|o| seen.insert(&o.key)) {
        return;
    }
    let mut rows_of: HashMap<&ObservationKey, Vec<usize>> = HashMap::new();
    for o in valid.iter() {
        rows_of.entry(&o.key).or_default().push(o.row);
    }
    let duplicated: HashSet<usize> = rows_of.values().filter(|rows| rows.len() > 1).flatten().copied().collect();
    if duplicated.is_empty() {
        return;
    }
    for o in valid.iter().filter(|o| duplicated.contains(&o.row)) {
        let others: Vec<String> = rows_of[&o.key].iter().filter(|r| **r != o.row).map(|r| r.to_string()).collect();
        errors.push(ImportError {
            row: o.row,
            field: None,
            code: ImportErrorCode::DuplicateRow,
            message: format!("the same indicator, area, period, sex and breakdown as row {}", others.join(", ")),
        });
    }
    valid.retain(|o| !duplicated.contains(&o.row));
}

/// For a count, female + male must equal the total pushed with them.
fn reject_inconsistent_totals(
    valid: &mut Vec<ValidObservation>,
    errors: &mut Vec<ImportError>,
    indicators: &HashMap<String, Indicator>,
) {
    let is_count = |code: &str| indicators.get(code).is_some_and(|i| i.unit == Unit::Count);
    let mut cells: HashMap<ObservationKey, [Option<(usize, f64)>; 3]> = HashMap::new();
    for o in valid.iter().filter(|o| is_count(&o.key.indicator_code)) {
        let slot = match o.key.sex {
            Sex::Female => 0,
            Sex::Male => 1,
            Sex::Total => 2,
        };
        let group = ObservationKey { sex: Sex::Total, ..o.key.clone() };
        cells.entry(group).or_default()[slot] = Some((o.row, o.value));
    }
    let mut rejected = HashSet::new();
    for [female, male, total] in cells.values() {
        if let (Some((_, f)), Some((_, m)), Some((row, t))) = (female, male, total) {
            if f + m != *t {
                rejected.insert(*row);
                errors.push(ImportError {
                    row: *row,
                    field: Some("value".to_owned()),
                    code: ImportErrorCode::InconsistentTotal,
                    message: format!("female {f} + male {m} = {}, not the total {t}", f + m),
                });
            }
        }
    }
    valid.retain(|o| !rejected.contains(&o.row));
}

#[cfg(test)]
mod tests;
