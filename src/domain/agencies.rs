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
    pub area_code: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// The agency and area a new token names exist, and an agency's token reaches no further
/// than the agency's own area: a district health office cannot be given the province, nor
/// another district.
pub async fn check_token_reach(
    store: &dyn crate::store::Store,
    agency_code: Option<&str>,
    area_code: Option<&str>,
) -> Result<(), super::DomainError> {
    use super::DomainError;
    if let Some(code) = area_code {
        if store.areas_by_codes(&[code.to_owned()]).await?.is_empty() {
            return Err(DomainError::bad_input("areaCode", format!("no area `{code}`")));
        }
    }
    let Some(code) = agency_code else { return Ok(()) };
    let agency = store.agencies_by_codes(&[code.to_owned()]).await?.into_iter().next();
    let agency = agency.ok_or_else(|| DomainError::bad_input("agencyCode", format!("no agency `{code}`")))?;
    if let (Some(home), Some(area)) = (&agency.area_code, area_code) {
        if !store.area_subtree(home).await?.iter().any(|a| a == area) {
            return Err(DomainError::bad_input(
                "areaCode",
                format!("agency `{code}` works in area `{home}`: its token's area must be `{home}` or inside it"),
            ));
        }
    }
    Ok(())
}
