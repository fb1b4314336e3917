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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_period_knows_its_days() {
        let days = |s: &str| s.parse::<Period>().map(|p| p.days()).map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(days("2024"), Ok(("2024-01-01".into(), "2024-12-31".into())));
        assert_eq!(days("2024-S2"), Ok(("2024-07-01".into(), "2024-12-31".into())));
        assert_eq!(days("2024-Q1"), Ok(("2024-01-01".into(), "2024-03-31".into())));
        assert_eq!(days("2024-02"), Ok(("2024-02-01".into(), "2024-02-29".into())));
    }
}
