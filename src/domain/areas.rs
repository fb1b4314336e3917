//! Administrative units (đơn vị hành chính) by level, their parents, and the boundary
//! changes (successions) that merge or split them.

use chrono::NaiveDate;

use super::named_enum;

/// Level of an administrative unit (cấp hành chính).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AreaLevel {
    Nation,
    Province,
    District,
    Commune,
}
named_enum!(AreaLevel { Nation = "NATION", Province = "PROVINCE", District = "DISTRICT", Commune = "COMMUNE" });

/// An administrative unit (đơn vị hành chính). Units change (the 2025 reform merged
/// provinces and abolished districts), so each has a validity interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_code: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub source: Option<String>,
}

/// One unit's successor after a boundary change (merger, split, abolished level).
#[derive(Debug, Clone, PartialEq)]
pub struct Succession {
    pub predecessor_code: String,
    pub successor_code: String,
}
