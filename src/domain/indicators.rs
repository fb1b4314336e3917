//! The indicator catalogue (chỉ tiêu thống kê): what a value measures, in which unit, which
//! way is better, how it may be broken down, and whether it is sensitive.

use super::named_enum;

/// The unit a value of an indicator is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Percent,
    /// e.g. boys per 100 girls at birth
    RatioPer100,
    Per1000,
    Per100000,
    Times,
    Count,
    Boolean,
}
named_enum!(Unit {
    Percent = "PERCENT",
    RatioPer100 = "RATIO_PER_100",
    Per1000 = "PER_1000",
    Per100000 = "PER_100000",
    Times = "TIMES",
    Count = "COUNT",
    Boolean = "BOOLEAN",
});

impl Unit {
    /// How many units one whole is (numerator = denominator) for a rate; `None` for
    /// counts and yes/no values, which have no numerator and denominator.
    pub fn scale(self) -> Option<f64> {
        match self {
            Unit::Percent | Unit::RatioPer100 => Some(100.0),
            Unit::Per1000 => Some(1_000.0),
            Unit::Per100000 => Some(100_000.0),
            Unit::Times => Some(1.0),
            Unit::Count | Unit::Boolean => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}
named_enum!(Direction { HigherIsBetter = "HIGHER_IS_BETTER", LowerIsBetter = "LOWER_IS_BETTER" });

/// A breakdown a value may carry besides sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    AgeGroup,
    Ethnicity,
}
named_enum!(Dimension { AgeGroup = "age_group", Ethnicity = "ethnicity" });

/// A catalogue entry (chỉ tiêu thống kê), shared by every plan that sets a target for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Option<Direction>,
    pub sex_disaggregated: bool,
    pub dimensions: Vec<Dimension>,
    /// Violence and trafficking data: small counts are suppressed for partners.
    pub sensitive: bool,
    pub sdg_code: Option<String>,
    pub source: Option<String>,
}
