//! Reporting periods as written in pushes and filters: `2024` (year), `2024-S1` (half),
//! `2024-Q3` (quarter), `2024-06` (month).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use super::plans::PeriodKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub part: PeriodPart,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodPart {
    Year,
    Half(u8),
    Quarter(u8),
    Month(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a period: write 2024, 2024-S1, 2024-Q3 or 2024-06")]
pub struct BadPeriod(pub String);

/// Years a value may be reported for: the strategy runs 2021-2030; older baselines exist.
const FIRST_YEAR: i32 = 1990;
const LAST_YEAR: i32 = 2100;

impl FromStr for Period {
    type Err = BadPeriod;

    fn from_str(s: &str) -> Result<Self, BadPeriod> {
        let bad = || BadPeriod(s.to_owned());
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(bad());
        }
        let number = |digits: &str, max: u8| -> Result<u8, BadPeriod> {
            if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let n: u8 = digits.parse().map_err(|_| bad())?;
            if (1..=max).contains(&n) {
                Ok(n)
            } else {
                Err(bad())
            }
        };
        let part = match rest {
            None => PeriodPart::Year,
            Some(r) if r.starts_with('S') && r.len() == 2 => PeriodPart::Half(number(&r[1..], 2)?),
            Some(r) if r.starts_with('Q') && r.len() == 2 => PeriodPart::Quarter(number(&r[1..], 4)?),
            Some(r) if r.len() == 2 => PeriodPart::Month(number(r, 12)?),
            Some(_) => return Err(bad()),
        };
        Ok(Period { year, part })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            PeriodPart::Year => write!(f, "{}", self.year),
            PeriodPart::Half(h) => write!(f, "{}-S{h}", self.year),
            PeriodPart::Quarter(q) => write!(f, "{}-Q{q}", self.year),
            PeriodPart::Month(m) => write!(f, "{}-{m:02}", self.year),
        }
    }
}

impl Period {
    /// Every period of a year: the year, its halves, quarters and months.
    pub fn of_year(year: i32) -> Vec<Period> {
        let parts = std::iter::once(PeriodPart::Year)
            .chain((1..=2).map(PeriodPart::Half))
            .chain((1..=4).map(PeriodPart::Quarter))
            .chain((1..=12).map(PeriodPart::Month));
        parts.map(|part| Period { year, part }).collect()
    }

    /// Every period that lies wholly within the days `first` to `last` (of the years values
    /// may be reported for), as SDMX's `startPeriod` and `endPeriod` select them.
    pub fn within(first: NaiveDate, last: NaiveDate) -> Vec<Period> {
        use chrono::Datelike;
        let years = first.year().max(FIRST_YEAR)..=last.year().min(LAST_YEAR);
        years
            .flat_map(Period::of_year)
            .filter(|p| {
                let (start, end) = p.days();
                first <= start && end <= last
            })
            .collect()
    }

    pub fn kind(&self) -> PeriodKind {
        match self.part {
            PeriodPart::Year => PeriodKind::Annual,
            PeriodPart::Half(_) => PeriodKind::Semiannual,
            PeriodPart::Quarter(_) => PeriodKind::Quarterly,
            PeriodPart::Month(_) => PeriodKind::Monthly,
        }
    }

    /// First and last day the period covers.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let (first_month, months) = match self.part {
            PeriodPart::Year => (1, 12),
            PeriodPart::Half(h) => (u32::from(h - 1) * 6 + 1, 6),
            PeriodPart::Quarter(q) => (u32::from(q - 1) * 3 + 1, 3),
            PeriodPart::Month(m) => (u32::from(m), 1),
        };
        let start = NaiveDate::from_ymd_opt(self.year, first_month, 1).unwrap_or(NaiveDate::MIN);
        let end =
            start.checked_add_months(chrono::Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX);
        (start, end)
    }
}

/// Why a range of periods is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadRange {
    #[error("{from} and {to} are not periods of the same kind (both years, halves, quarters or months)")]
    MixedKinds { from: Period, to: Period },
    #[error("{from} comes after {to}")]
    Backwards { from: Period, to: Period },
}

impl Period {
    /// The next period of the same kind.
    fn next(&self) -> Period {
        let (year, part) = match self.part {
            PeriodPart::Year => (self.year + 1, PeriodPart::Year),
            PeriodPart::Half(2) => (self.year + 1, PeriodPart::Half(1)),
            PeriodPart::Half(h) => (self.year, PeriodPart::Half(h + 1)),
            PeriodPart::Quarter(4) => (self.year + 1, PeriodPart::Quarter(1)),
            PeriodPart::Quarter(q) => (self.year, PeriodPart::Quarter(q + 1)),
            PeriodPart::Month(12) => (self.year + 1, PeriodPart::Month(1)),
            PeriodPart::Month(m) => (self.year, PeriodPart::Month(m + 1)),
        };
        Period { year, part }
    }

    /// Every period from `from` to `to`, both included, in order: two years, two quarters,
    /// never a year and a month. At most 1,332 (every month the hub takes).
    pub fn range(from: Period, to: Period) -> Result<Vec<Period>, BadRange> {
        if from.kind() != to.kind() {
            return Err(BadRange::MixedKinds { from, to });
        }
        if from > to {
            return Err(BadRange::Backwards { from, to });
        }
        let mut periods = vec![from];
        let mut current = from;
        while current < to {
            current = current.next();
            periods.push(current);
        }
        Ok(periods)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_within_days_are_those_that_start_and_end_inside_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a day");
        let within: Vec<String> =
            Period::within(day(2024, 4, 1), day(2024, 12, 31)).iter().map(|p| p.to_string()).collect();
        assert_eq!(within.len(), 1 + 3 + 9, "S2, Q2–Q4 and April–December: {within:?}");
        assert!(within.contains(&"2024-S2".to_owned()) && !within.contains(&"2024".to_owned()), "{within:?}");
        assert_eq!(Period::within(day(2024, 1, 1), day(2025, 12, 31)).len(), 2 * 19);
        assert!(Period::within(day(2025, 1, 1), day(2024, 12, 31)).is_empty());
    }

    #[test]
    fn the_four_forms_parse_and_print_back() {
        for s in ["2024", "2024-S1", "2024-S2", "2024-Q3", "2024-06", "2024-12"] {
            assert_eq!(s.parse::<Period>().map(|p| p.to_string()), Ok(s.to_owned()));
        }
        assert_eq!("2024-Q3".parse::<Period>().map(|p| p.kind()), Ok(PeriodKind::Quarterly));
    }

    #[test]
    fn anything_else_is_refused() {
        for s in [
            "",
            "24",
            "2024-",
            "2024-S3",
            "2024-Q0",
            "2024-Q5",
            "2024-13",
            "2024-00",
            "2024-6",
            "2024-H1",
            "20245",
            "1800",
            "2024-06-01",
            "２０２４",
            "2024-S",
            "-2024",
        ] {
            assert!(s.parse::<Period>().is_err(), "{s} parsed");
        }
    }

    #[test]
    fn a_range_lists_every_period_of_its_kind_in_order() {
        let range = |a: &str, b: &str| {
            Period::range(a.parse().expect("from"), b.parse().expect("to"))
                .map(|ps| ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        assert_eq!(range("2021", "2023"), Ok(vec!["2021".into(), "2022".into(), "2023".into()]));
        assert_eq!(range("2023-Q4", "2024-Q2"), Ok(vec!["2023-Q4".into(), "2024-Q1".into(), "2024-Q2".into()]));
        assert_eq!(range("2024-S2", "2025-S1"), Ok(vec!["2024-S2".into(), "2025-S1".into()]));
        assert_eq!(range("2024-11", "2025-01"), Ok(vec!["2024-11".into(), "2024-12".into(), "2025-01".into()]));
        assert_eq!(range("2024", "2024").map(|r| r.len()), Ok(1));
        assert!(matches!(range("2024", "2024-06"), Err(BadRange::MixedKinds { .. })));
        assert!(matches!(range("2025", "2024"), Err(BadRange::Backwards { .. })));
        assert_eq!(range("1990-01", "2100-12").map(|r| r.len()), Ok(1_332));
    }

    #[test]
    fn a_period_knows_its_days() {
        let days = |s: &str| s.parse::<Period>().map(|p| p.days()).map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(days("2024"), Ok(("2024-01-01".into(), "2024-12-31".into())));
        assert_eq!(days("2024-S2"), Ok(("2024-07-01".into(), "2024-12-31".into())));
        assert_eq!(days("2024-Q1"), Ok(("2024-01-01".into(), "2024-03-31".into())));
        assert_eq!(days("2024-02"), Ok(("2024-02-01".into(), "2024-02-29".into())));
    }
}
