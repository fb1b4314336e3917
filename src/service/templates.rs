//! Reporting templates (biểu mẫu báo cáo): for a plan, an agency and a period, a workbook
//! with one row per value the agency must report there, codes and Vietnamese names filled
//! in and a list for sex, ready to fill in and push back as a feed (rows left empty are not
//! read).

use super::reads::period_argument;
use super::Caller;
use crate::domain::workbooks::{self, Cell, Sheet};
use crate::domain::DomainError;
use crate::store::Store;

/// The template's columns: the feed's, with the names beside the codes.
pub const TEMPLATE_HEADER: &[&str] = &[
    "indicator",
    "indicator_name",
    "area",
    "area_name",
    "period",
    "sex",
    "age_group",
    "ethnicity",
    "value",
    "numerator",
    "denominator",
    "comment",
];

/// What the template is for.
#[derive(Debug, Clone)]
pub struct TemplateRequest {
    pub plan_code: String,
    pub agency_code: String,
    pub period: String,
}

/// The workbook: BAD_USER_INPUT for a bad period or an agency the plan gives nothing to
/// report; NOT_FOUND for an unknown plan or agency; FORBIDDEN for a plan outside the
/// caller's area.
pub async fn template(store: &dyn Store, caller: &Caller, request: TemplateRequest) -> Result<Vec<u8>, DomainError> {
    let period = period_argument("period", &request.period)?.to_string();
    let plan = store.plans_by_codes(std::slice::from_ref(&request.plan_code)).await?.into_iter().next();
    let plan = plan.ok_or_else(|| DomainError::not_found("plan", &request.plan_code))?;
    caller.require_area(store, plan.area_id, &plan.area_code).await?;
    let agency = store.agencies_by_codes(std::slice::from_ref(&request.agency_code)).await?.into_iter().next();
    let agency = agency.ok_or_else(|| DomainError::not_found("agency", &request.agency_code))?;
    let mut codes: Vec<String> = store
        .duties_by_plans(&[plan.id])
        .await?
        .into_iter()
        .filter(|d| d.agency_code == agency.code)
        .map(|d| d.indicator_code)
        .collect();
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        let message =
            format!("plan {} gives {} ({}) no measured target to report", plan.code, agency.code, agency.name);
        return Err(DomainError::bad_input("agencyCode", message));
    }
    let mut indicators = store.indicators_by_codes(&codes).await?;
    indicators.sort_by(|a, b| a.code.cmp(&b.code));
    let area_name = store.areas_by_ids(&[plan.area_id]).await?.into_iter().next().map(|a| a.name).unwrap_or_default();
    let text = |s: &str| Cell::Text(s.to_owned());
    let mut rows = Vec::new();
    for indicator in &indicators {
        let sexes: &[&str] = if indicator.sex_disaggregated { &["F", "M", "T"] } else { &["T"] };
        for sex in sexes {
            rows.push(vec![
                text(&indicator.code),
                text(&indicator.name_vi),
                text(&plan.area_code),
                text(&area_name),
                text(&period),
                text(sex),
            ]);
        }
    }
    let sheet = Sheet { name: "bieu-mau", header: TEMPLATE_HEADER, rows, lists: vec![(5, &["F", "M", "T"])] };
    workbooks::write(&sheet).map_err(DomainError::internal)
}
