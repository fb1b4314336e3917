//! The indicator catalogue: what can be measured, in which unit, and whether partners may
//! see small counts of it. An indicator's values are the observations connection's
//! (`observations.rs`), paged the same way as `Query.observations`.

use async_graphql::{Context, Object};

use super::enums::{DirectionEnum, ObservationOrderEnum, UnitEnum};
use super::error::GqlResult;
use super::helpers::page_complexity;
use super::observations::{ObservationConnection, ObservationFilter};
use super::pages::read_indicator_page;
use crate::domain::indicators::Indicator;

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
