//! Where things are and who does them: administrative units and agencies. A reference to
//! an area outside the caller's subtree resolves to null (or is left out of a list), so
//! nothing leaks through a nested field.

use async_graphql::{Context, Object};

use super::context::ContextExt;
use super::enums::{AgencyKindEnum, AreaLevelEnum};
use super::error::{GqlResult, OrGql};
use super::helpers::visible_area;
use super::scalars::Date;
use crate::domain::agencies::Agency;
use crate::domain::areas::Area;

pub struct AreaObject(pub Area);

/// An administrative unit (đơn vị hành chính): nation, province, district or commune.
#[Object(name = "Area")]
impl AreaObject {
    /// GSO code (mã đơn vị hành chính); "VN" for the nation.
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn level(&self) -> AreaLevelEnum {
        self.0.level.into()
    }

    /// Null when the parent lies outside the caller's area.
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<AreaObject>> {
        let Some(code) = &self.0.parent_code else { return Ok(None) };
        Ok(visible_area(ctx, code).await?.map(AreaObject))
    }

    async fn children(&self, ctx: &Context<'_>) -> GqlResult<Vec<AreaObject>> {
        let scope = ctx.scope().await?;
        let children = ctx.request().loaders.area_children.load_one(self.0.code.clone()).await.gql()?;
        Ok(children.unwrap_or_default().into_iter().filter(|a| scope.allows(&a.code)).map(AreaObject).collect())
    }

    /// First day the unit existed, when known.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }

    /// Last day the unit existed (districts: 2025-06-30, when the district level ended).
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

    /// The units that took this one's place after a boundary change.
    async fn successors(&self, ctx: &Context<'_>) -> GqlResult<Vec<AreaObject>> {
        let codes = ctx.request().loaders.successors.load_one(self.0.code.clone()).await.gql()?;
        let mut areas = Vec::new();
        for code in codes.unwrap_or_default() {
            if let Some(area) = visible_area(ctx, &code).await? {
                areas.push(AreaObject(area));
            }
        }
        Ok(areas)
    }

    /// The seed document and section this unit is named in.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
}

pub struct AgencyObject(pub Agency);

/// An agency (cơ quan) that issues plans or reports values.
#[Object(name = "Agency")]
impl AgencyObject {
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn kind(&self) -> AgencyKindEnum {
        self.0.kind.into()
    }

    /// Null when the area lies outside the caller's area.
    async fn area(&self, ctx: &Context<'_>) -> GqlResult<Option<AreaObject>> {
        let Some(code) = &self.0.area_code else { return Ok(None) };
        Ok(visible_area(ctx, code).await?.map(AreaObject))
    }

    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}
