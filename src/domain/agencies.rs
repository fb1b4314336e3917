//! Agencies (cơ quan): the bodies that issue plans and report values, by kind and area.

use super::named_enum;

/// What kind of body an agency (cơ quan) is: it decides nothing by itself, but lets users
/// find "the police" or "the statistics office" of any area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgencyKind {
    Statistics,
    Police,
    Health,
    Education,
    Labour,
    HomeAffairs,
    Culture,
    Justice,
    FinancePlanning,
    EthnicAffairs,
    PeopleCommittee,
    MassOrganisation,
    Other,
}
named_enum!(AgencyKind {
    Statistics = "STATISTICS",
    Police = "POLICE",
    Health = "HEALTH",
    Education = "EDUCATION",
    Labour = "LABOUR",
    HomeAffairs = "HOME_AFFAIRS",
    Culture = "CULTURE",
    Justice = "JUSTICE",
    FinancePlanning = "FINANCE_PLANNING",
    EthnicAffairs = "ETHNIC_AFFAIRS",
    PeopleCommittee = "PEOPLE_COMMITTEE",
    MassOrganisation = "MASS_ORGANISATION",
    Other = "OTHER",
});

/// An issuer of plans or a reporter of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    pub area_id: Option<super::areas::AreaId>,
    pub area_code: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}
