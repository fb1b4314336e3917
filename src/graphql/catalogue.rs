//! The indicator catalogue: what can be measured, in which unit, and whether partners may
//! see small counts of it. An indicator's values are the observations connection's
//! (`observations.rs`), paged the same way as `Query.observations`.

use std::sync::Arc;

use async_graphql::{Context, Object};

use super::cells::CellObject;
use super::context::ContextExt;
use super::enums::{DirectionEnum, ObservationOrderEnum, SexEnum, UnitEnum};
use super::error::{GqlResult, OrGql};
use super::helpers::{find_area, page_complexity};
use super::loaders::ProgressKey;
use super::observations::{ObservationConnection, ObservationFilter};
use super::pages::read_indicator_page;
use crate::domain::indicators::Indicator;
use crate::domain::observations::Sex;
use crate::domain::plans::SexScope;
use crate::service::cells::{CellKey, PlacedCell};

pub struct IndicatorObject(pub Indicator);

/// A catalogue entry, shared by every plan that sets a target for it.
#[Object(name = "Indicator")]
impl IndicatorObject {
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name_vi(&self) -> &str {
        &self.0.name_vi
    }

    async fn name_en(&self) -> &str {
        &self.0.name_en
    }

    async fn unit(&self) -> UnitEnum {
        self.0.unit.into()
    }

    async fn direction(&self) -> Option<DirectionEnum> {
        self.0.direction.map(Into::into)
    }

    async fn sex_disaggregated(&self) -> bool {
        self.0.sex_disaggregated
    }

    /// Breakdowns a value may carry besides sex: "age_group", "ethnicity".
    async fn dimensions(&self) -> Vec<&'static str> {
        self.0.dimensions.iter().map(|d| d.as_str()).collect()
    }

    /// Violence and trafficking data: small counts are suppressed for partners.
    async fn sensitive(&self) -> bool {
        self.0.sensitive
    }

    async fn sdg_code(&self) -> Option<&str> {
        self.0.sdg_code.as_deref()
    }

    /// The value for the most recent period that has one, in the area the code names
    /// today: its own, or rolled up from the units that made it up then (`derived`). For
    /// `sex` (default TOTAL). Null when no period has a value.
    async fn latest(
        &self,
        ctx: &Context<'_>,
        area_code: String,
        sex: Option<SexEnum>,
    ) -> GqlResult<Option<CellObject>> {
        let area = find_area(ctx, &area_code, None).await?;
        let sex = sex.unwrap_or(SexEnum::Total);
        let measured_on = match sex.into() {
            Sex::Female => SexScope::Female,
            Sex::Male => SexScope::Male,
            Sex::Total => SexScope::Total,
        };
        let key = ProgressKey { indicator_code: self.0.code.clone(), area_id: area.id, period: None, measured_on };
        let measured = ctx.request().loaders.progress.load_one(key).await.gql()?.unwrap_or_default();
        let Some(period) = measured.into_iter().find_map(|m| m.measured).map(|m| m.period) else { return Ok(None) };
        let key = CellKey { indicator_code: self.0.code.clone(), area_id: area.id, period, sex: sex.into() };
        let cell = ctx.request().loaders.cells.load_one(key).await.gql()?;
        let (indicator, area) = (Arc::new(self.0.clone()), Arc::new(area));
        Ok(cell.map(|cell| CellObject(PlacedCell { cell, indicator, area })))
    }

    /// Reported values of this indicator (the filter's `indicatorCode` and
    /// `indicatorCodes` are ignored).
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn observations(
        &self,
        ctx: &Context<'_>,
        filter: Option<ObservationFilter>,
        #[graphql(default_with = "ObservationOrderEnum::Id")] order_by: ObservationOrderEnum,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<ObservationConnection> {
        read_indicator_page(ctx, &self.0.code, filter.unwrap_or_default(), order_by.into(), first, after).await
    }
}
