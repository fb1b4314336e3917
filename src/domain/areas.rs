//! Administrative units (đơn vị hành chính) by level, their parents, and the boundary
//! changes (successions) that merge or split them.
//!
//! A unit is a code valid over an interval. The 2025 reform reused codes (`24` was Tỉnh
//! Bắc Giang until 2025-06-30 and is Tỉnh Bắc Ninh from 2025-07-01), so a code alone no
//! longer names one unit: a code with a day or a period does, by the rules here.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::named_enum;
use super::periods::Period;

/// A unit's own id: what values, plans, agencies and tokens point at.
pub type AreaId = i64;

/// Level of an administrative unit (cấp hành chính).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AreaLevel {
    Nation,
    Province,
    District,
    Commune,
}
named_enum!(AreaLevel { Nation = "NATION", Province = "PROVINCE", District = "DISTRICT", Commune = "COMMUNE" });

/// A unit's centroid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// An administrative unit (đơn vị hành chính): a code valid from one day to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub id: AreaId,
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_id: Option<AreaId>,
    /// First day the unit existed; `None` when it is older than the map knows.
    pub valid_from: Option<NaiveDate>,
    /// Last day it existed; `None` while it exists.
    pub valid_to: Option<NaiveDate>,
    pub location: Option<GeoPoint>,
    pub area_km2: Option<f64>,
    pub source: Option<String>,
}

impl Area {
    /// Whether the unit existed on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= day) && self.valid_to.is_none_or(|to| to >= day)
    }

    /// Whether the unit existed on any day from `first` to `last`.
    pub fn valid_during(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= last) && self.valid_to.is_none_or(|to| to >= first)
    }

    /// "24 Tỉnh Bắc Ninh (2025-07-01 – …)": the code with its name and validity, to tell two
    /// holders of a code apart.
    pub fn label(&self) -> String {
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "…".to_owned(), |d| d.to_string());
        format!("{} {} ({} – {})", self.code, self.name, day(self.valid_from), day(self.valid_to))
    }
}

/// One unit's successor after a boundary change (merger, split, abolished level).
#[derive(Debug, Clone, PartialEq)]
pub struct Succession {
    pub predecessor_id: AreaId,
    pub successor_id: AreaId,
    pub effective_on: NaiveDate,
    /// False when only part of the predecessor went to the successor (a divided commune).
    pub whole: bool,
}

/// The unit a code names for a period, among the units that held the code (`holders`):
/// the one that held it last within the period. A period inside one unit's life names that
/// unit; the 2025 annual report of `24` names Tỉnh Bắc Ninh (from 2025-07-01), not Bắc
/// Giang (until 2025-06-30), because the year's figure is reported by the unit that holds
/// the code when the year closes; `216` in 2025 names Huyện Tân Yên, its only holder that
/// year. `None` when no holder existed during the period.
pub fn unit_for_period<'a>(holders: impl IntoIterator<Item = &'a Area>, period: &Period) -> Option<&'a Area> {
    let (first, last) = period.days();
    holders.into_iter().filter(|a| a.valid_during(first, last)).max_by_key(|a| a.valid_from)
}

/// The unit a code names on a day: the holder valid that day, else the last one that held
/// it before (a token for Huyện Tân Yên issued after the district level ended still means
/// Tân Yên), else `None`.
pub fn unit_on<'a>(holders: impl IntoIterator<Item = &'a Area>, day: NaiveDate) -> Option<&'a Area> {
    let holders: Vec<&Area> = holders.into_iter().collect();
    if let Some(valid) = holders.iter().find(|a| a.valid_on(day)) {
        return Some(valid);
    }
    holders.into_iter().filter(|a| a.valid_to.is_some_and(|to| to < day)).max_by_key(|a| a.valid_to)
}

/// What to say of a code that names no unit: when it is a name (`named`, the units of that
/// name), the units with their codes and validity, so the writer can pick the code.
pub fn unknown_area_message(written: &str, named: &[Area]) -> String {
    if named.is_empty() {
        format!("no area `{written}`")
    } else {
        let units: Vec<String> = named.iter().map(Area::label).collect();
        format!("`{written}` is not an area code; areas of that name: {}", units.join("; "))
    }
}

/// The unit a code names on a day when one is given (`unit_on`), else the code's first
/// holder: a token issued before units had days meant the only unit the hub then knew.
pub fn unit_named<'a>(holders: impl IntoIterator<Item = &'a Area>, on: Option<NaiveDate>) -> Option<&'a Area> {
    match on {
        Some(day) => unit_on(holders, day),
        None => holders.into_iter().min_by_key(|a| a.valid_from),
    }
}

/// Words that name a unit's type, longest first so "thị xã" goes before "xã".
const TYPE_WORDS: [&str; 9] = ["thanh pho", "thi tran", "dac khu", "thi xa", "phuong", "huyen", "tinh", "quan", "xa"];

/// A name as search compares it: lower case, without diacritics (đ is d), single spaces,
/// and without a leading unit-type word, so "Huyện Tân Yên", "tan yen" and "Tân Yên" meet.
pub fn search_key(name: &str) -> String {
    let folded: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    for word in TYPE_WORDS {
        if let Some(rest) = words.strip_prefix(word).and_then(|r| r.strip_prefix(' ')) {
            return rest.to_owned();
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn unit(id: AreaId, from: Option<&str>, to: Option<&str>) -> Area {
        Area {
            id,
            code: "24".into(),
            name: "x".into(),
            level: AreaLevel::Province,
            parent_id: None,
            valid_from: from.map(day),
            valid_to: to.map(day),
            location: None,
            area_km2: None,
            source: None,
        }
    }

    #[test]
    fn a_period_names_the_unit_that_held_the_code_last_within_it() {
        let holders = [unit(1, None, Some("2025-06-30")), unit(2, Some("2025-07-01"), None)];
        let id = |p: &str| unit_for_period(&holders, &p.parse().expect("period")).map(|a| a.id);
        assert_eq!(id("2024"), Some(1));
        assert_eq!(id("2025-S1"), Some(1));
        assert_eq!(id("2025-06"), Some(1));
        assert_eq!(id("2025"), Some(2), "the year spanning the reform names the unit holding the code at its end");
        assert_eq!(id("2025-Q3"), Some(2));
        let ended = [unit(3, None, Some("2025-06-30"))];
        assert_eq!(unit_for_period(&ended, &"2025".parse().expect("period")).map(|a| a.id), Some(3));
        assert_eq!(unit_for_period(&ended, &"2026".parse().expect("period")), None);
    }

    #[test]
    fn a_day_names_the_unit_valid_then_or_the_last_before() {
        let holders = [unit(1, None, Some("2025-06-30")), unit(2, Some("2025-07-01"), None)];
        assert_eq!(unit_on(&holders, day("2024-01-01")).map(|a| a.id), Some(1));
        assert_eq!(unit_on(&holders, day("2026-12-01")).map(|a| a.id), Some(2));
        let ended = [unit(3, None, Some("2025-06-30"))];
        assert_eq!(unit_on(&ended, day("2026-12-01")).map(|a| a.id), Some(3));
        let future = [unit(4, Some("2030-01-01"), None)];
        assert_eq!(unit_on(&future, day("2026-12-01")), None);
    }

    #[test]
    fn search_keys_ignore_diacritics_case_and_the_type_word() {
        assert_eq!(search_key("Huyện Tân Yên"), "tan yen");
        assert_eq!(search_key("tan yen"), "tan yen");
        assert_eq!(search_key("  Tân   Yên "), "tan yen");
        assert_eq!(search_key("Thị xã Hương Trà"), "huong tra");
        assert_eq!(search_key("Thành phố Đà Nẵng"), "da nang");
        assert_eq!(search_key("Xã Cao Thượng"), "cao thuong");
        assert_eq!(search_key("Phường 3"), "3");
        assert_eq!(search_key("Tỉnh Bắc Ninh"), "bac ninh");
        // a name that merely starts like a type word keeps it
        assert_eq!(search_key("Xuân Trường"), "xuan truong");
    }
}
