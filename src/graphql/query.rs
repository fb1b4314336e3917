//! The root of reads: areas, agencies, indicators, plans, values, gender gaps and the audit
//! log, each confined to the caller's area subtree.

use async_graphql::{Context, Object, ID};

use super::areas::{AgencyObject, AreaObject};
use super::audit::AuditEntryObject;
use super::catalogue::IndicatorObject;
use super::cells::CellObject;
use super::context::ContextExt;
use super::enums::{AreaLevelEnum, AuditActionEnum, ObservationOrderEnum, SexEnum};
use super::error::{GqlResult, OrGql};
use super::helpers::{
    areas_complexity, find_area, find_area_for_period, list_complexity, page_complexity, reach_within_scope, required,
};
use super::loaders::TableKey;
use super::observations::{GenderGap, ObservationConnection, ObservationFilter};
use super::pages::read_page;
use super::plans::PlanObject;
use super::principal::PrincipalObject;
use super::scalars::Date;
use crate::domain::areas::{search_key, AreaId};
use crate::domain::observations::Sex;
use crate::domain::DomainError;
use crate::service::access::{units_of_code, SEARCH_LIMIT};
use crate::service::audit;
use crate::service::cells::{CellAreas, CellsRequest};
use crate::service::reads::period_argument;
use crate::store::AreaFilter;

pub struct Query;

/// Reads. Every role reads only inside its area subtree (admin: everywhere); naming an area
/// outside it is FORBIDDEN, and a code that matches nothing is NOT_FOUND.
#[Object]
impl Query {
    /// Who the caller is, as its token says.
    async fn me(&self, ctx: &Context<'_>) -> PrincipalObject {
        PrincipalObject(ctx.principal().clone())
    }

    /// Units inside the caller's area: the children of `parentCode` (the units that held
    /// the code on `validOn`, else every unit that held it), of one `level`, valid on
    /// `validOn`, whose name holds `search` (with or without diacritics and the unit-type
    /// word: "tan yen", "Huyện Tân Yên"; the name itself first, at most 200).
    #[graphql(complexity = "areas_complexity(parent_code.is_some() || search.is_some(), child_complexity)")]
    async fn areas(
        &self,
        ctx: &Context<'_>,
        parent_code: Option<String>,
        level: Option<AreaLevelEnum>,
        valid_on: Option<Date>,
        search: Option<String>,
    ) -> GqlResult<Vec<AreaObject>> {
        let valid_on = valid_on.map(|d| d.0);
        let parents = match &parent_code {
            Some(code) => Some(units_of_code(ctx.store().as_ref(), code, valid_on).await.gql()?),
            None => None,
        };
        let parents_held = parents.as_ref().is_none_or(|p| !p.is_empty());
        let scope = ctx.scope().await?;
        let parent_ids: Option<Vec<AreaId>> =
            parents.map(|p| p.iter().map(|a| a.id).filter(|id| scope.allows(*id)).collect());
        match (&parent_code, parent_ids.as_deref(), parents_held) {
            // no unit held the code that day: it has no children then
            (Some(_), _, false) => return Ok(Vec::new()),
            (Some(code), Some([]), true) => {
                return Err(DomainError::Forbidden(format!("area {code} is outside your area"))).gql()
            }
            _ => {}
        }
        let search = search.as_deref().map(search_key);
        let within = scope.restrict(None);
        let filter = AreaFilter {
            parent_ids: parent_ids.as_deref(),
            level: level.map(Into::into),
            valid_on,
            limit: search.as_ref().map(|_| SEARCH_LIMIT),
            search: search.as_deref(),
            within: within.as_deref(),
        };
        Ok(ctx.store().areas(filter).await.gql()?.into_iter().map(AreaObject).collect())
    }

    /// The unit that held the code on `validOn` (default: today; the code of a unit that
    /// has ended names that unit). NOT_FOUND lists the units of that name when the code
    /// is a name.
    async fn area(&self, ctx: &Context<'_>, code: String, valid_on: Option<Date>) -> GqlResult<Option<AreaObject>> {
        Ok(Some(AreaObject(find_area(ctx, &code, valid_on.map(|d| d.0)).await?)))
    }

    /// Agencies of `areaCode` and the areas below it (default: the caller's whole subtree).
    #[graphql(complexity = "list_complexity(child_complexity)")]
    async fn agencies(&self, ctx: &Context<'_>, area_code: Option<String>) -> GqlResult<Vec<AgencyObject>> {
        let within = reach_within_scope(ctx, area_code.as_deref()).await?;
        Ok(ctx.store().agencies(within.as_deref()).await.gql()?.into_iter().map(AgencyObject).collect())
    }

    async fn agency(&self, ctx: &Context<'_>, code: String) -> GqlResult<Option<AgencyObject>> {
        let agency = ctx.request().loaders.agency.load_one(code.clone()).await.gql()?;
        let agency = agency.ok_or_else(|| DomainError::not_found("agency", &code)).gql()?;
        match (agency.area_id, &agency.area_code) {
            (Some(id), Some(code)) => ctx.require_area(id, code).await?,
            _ if ctx.scope().await?.restrict(None).is_some() => {
                return Err(DomainError::Forbidden(format!("agency {code} is outside your area"))).gql()
            }
            _ => {}
        }
        Ok(Some(AgencyObject(agency)))
    }

    /// The indicator catalogue, shared by all plans.
    #[graphql(complexity = "list_complexity(child_complexity)")]
    async fn indicators(&self, ctx: &Context<'_>) -> GqlResult<Vec<IndicatorObject>> {
        Ok(ctx.store().indicators().await.gql()?.into_iter().map(IndicatorObject).collect())
    }

    async fn indicator(&self, ctx: &Context<'_>, code: String) -> GqlResult<Option<IndicatorObject>> {
        let indicator = ctx.request().loaders.indicator.load_one(code.clone()).await.gql()?;
        Ok(Some(IndicatorObject(indicator.ok_or_else(|| DomainError::not_found("indicator", &code)).gql()?)))
    }

    /// Plans of `areaCode` and the areas below it (default: the caller's whole subtree).
    #[graphql(complexity = "list_complexity(child_complexity)")]
    async fn plans(&self, ctx: &Context<'_>, area_code: Option<String>) -> GqlResult<Vec<PlanObject>> {
        let within = reach_within_scope(ctx, area_code.as_deref()).await?;
        Ok(ctx.store().plans(within.as_deref()).await.gql()?.into_iter().map(PlanObject).collect())
    }

    /// Reported values inside the caller's area, oldest first (or by period). Partners
    /// read approved values only, as last approved. `first` is at most 1,000 (default 100).
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn observations(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObservationFilter>,
        #[graphql(default_with = "ObservationOrderEnum::Id")] order_by: ObservationOrderEnum,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<ObservationConnection> {
        read_page(ctx, filter.unwrap_or_default(), order_by.into(), first, after).await
    }

    /// The audit log, newest first (admin only): every push, approval, rejection, token
    /// issue and revocation, `first` of them (100 unless said). Page with `before`, the last
    /// id of the previous page.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        action: Option<AuditActionEnum>,
        first: Option<i32>,
        before: Option<ID>,
    ) -> GqlResult<Vec<AuditEntryObject>> {
        let max_page = ctx.data_unchecked::<super::ApiSettings>().max_page_size;
        let before = before.as_ref().map(|id| id.0.as_str());
        let action = action.map(Into::into);
        let entries =
            audit::read_log(ctx.store().as_ref(), ctx.caller(), action, first, before, max_page).await.gql()?;
        Ok(entries.into_iter().map(AuditEntryObject).collect())
    }

    /// Female and male values of an indicator for an area and period (not broken down by
    /// age group or ethnicity); null when neither is reported.
    async fn gender_gap(
        &self,
        ctx: &Context<'_>,
        indicator_code: String,
        area_code: String,
        period: String,
    ) -> GqlResult<Option<GenderGap>> {
        gender_gap(ctx, indicator_code, area_code, period).await
    }

    /// Values of indicators × areas × periods × sex, in that order: for the areas named
    /// (`areaCodes`, each read as the unit that held the code in each period), or the units
    /// under `childrenOf` (its children, or its descendants at `level`) as the map stood at
    /// the end of the last period; for the periods listed or `periodFrom`..`periodTo` (of one
    /// kind); for `sex` (default: each sex the indicator is reported by). A unit with no value
    /// of its own gets one rolled up from the units that made it up then (`derived`). At
    /// most 50,000 cells.
    #[allow(clippy::too_many_arguments)]
    async fn cells(
        &self,
        ctx: &Context<'_>,
        indicator_codes: Vec<String>,
        area_codes: Option<Vec<String>>,
        children_of: Option<String>,
        level: Option<AreaLevelEnum>,
        periods: Option<Vec<String>>,
        period_from: Option<String>,
        period_to: Option<String>,
        sex: Option<Vec<SexEnum>>,
    ) -> GqlResult<Vec<CellObject>> {
        let areas = match (area_codes, children_of, level) {
            (Some(codes), None, None) => CellAreas::Codes(codes),
            (None, Some(code), level) => CellAreas::Under { code, level: level.map(Into::into) },
            (Some(_), _, _) => {
                return Err(DomainError::bad_input(
                    "areaCodes",
                    "give areaCodes, or childrenOf (with a level), not both",
                ))
                .gql()
            }
            (None, None, _) => {
                return Err(DomainError::bad_input(
                    "childrenOf",
                    "name the areas: areaCodes, or childrenOf with a level",
                ))
                .gql()
            }
        };
        let request = CellsRequest {
            indicator_codes,
            areas,
            periods,
            period_from,
            period_to,
            sexes: sex.map(|s| s.into_iter().map(Into::into).collect()),
        };
        let cells = crate::service::cells::cells(ctx.store().as_ref(), ctx.caller(), request).await.gql()?;
        Ok(cells.into_iter().map(CellObject).collect())
    }

    async fn plan(&self, ctx: &Context<'_>, code: String) -> GqlResult<Option<PlanObject>> {
        let plan = ctx.request().loaders.plan.load_one(code.clone()).await.gql()?;
        let plan = plan.ok_or_else(|| DomainError::not_found("plan", &code)).gql()?;
        ctx.require_area(plan.area_id, &plan.area_code).await?;
        Ok(Some(PlanObject(plan)))
    }
}

/// Female and male values (not broken down further) of one indicator, area and period.
async fn gender_gap(
    ctx: &Context<'_>,
    indicator_code: String,
    area_code: String,
    period: String,
) -> GqlResult<Option<GenderGap>> {
    let indicator = ctx.request().loaders.indicator.load_one(indicator_code.clone()).await.gql()?;
    required(indicator, "indicator", &indicator_code)?;
    let parsed = period_argument("period", &period).gql()?;
    let unit = find_area_for_period(ctx, &area_code, &parsed).await?;
    let key = TableKey { indicator_code, area_id: unit.id, period };
    let table = ctx.request().loaders.tables.load_one(key).await.gql()?.unwrap_or_default();
    let female = table.by_sex(Sex::Female);
    let male = table.by_sex(Sex::Male);
    if female.is_none() && male.is_none() {
        return Ok(None);
    }
    let female = female.and_then(|o| table.published_value(o));
    let male = male.and_then(|o| table.published_value(o));
    let difference = female.zip(male).map(|(f, m)| f - m);
    let ratio = female.zip(male).and_then(|(f, m)| (m != 0.0).then(|| f / m));
    Ok(Some(GenderGap { female, male, difference, ratio }))
}
