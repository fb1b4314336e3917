//! Where things are and who does them: administrative units and agencies. A reference to
//! an area outside the caller's subtree resolves to null (or is left out of a list), so
//! nothing leaks through a nested field.

use async_graphql::{Context, Object};

use super::context::ContextExt;
use super::enums::{AgencyKindEnum, AreaLevelEnum};
use super::error::{GqlResult, OrGql};
use super::helpers::{children_complexity, successions_complexity, visible_area};
use super::scalars::Date;
use crate::domain::agencies::Agency;
use crate::domain::areas::{Area, AreaId, GeoPoint, Succession};

pub struct AreaObject(pub Area);

/// An administrative unit (đơn vị hành chính): nation, province, district or commune. A
/// unit is a code valid from one day to another: the 2025 reform gave old codes to new
/// units, so two units may share a code at different times.
#[Object(name = "Area")]
impl AreaObject {
    /// GSO code (mã đơn vị hành chính); "VN" for the nation. With `validFrom` and
    /// `validTo`, it names the unit.
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
        let Some(id) = self.0.parent_id else { return Ok(None) };
        Ok(visible_area(ctx, id).await?.map(AreaObject))
    }

    #[graphql(complexity = "children_complexity(child_complexity)")]
    async fn children(&self, ctx: &Context<'_>) -> GqlResult<Vec<AreaObject>> {
        let scope = ctx.scope().await?;
        let children = ctx.request().loaders.area_children.load_one(self.0.id).await.gql()?;
        Ok(children.unwrap_or_default().into_iter().filter(|a| scope.allows(a.id)).map(AreaObject).collect())
    }

    /// First day the unit existed; null when it is older than the map knows (every unit
    /// of the map before the 2025 reform).
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }

    /// Last day the unit existed; null while it exists (every unit before the reform:
    /// 2025-06-30).
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

    /// The units that took this one's place after a boundary change.
    #[graphql(complexity = "successions_complexity(child_complexity)")]
    async fn successors(&self, ctx: &Context<'_>) -> GqlResult<Vec<AreaObject>> {
        self.linked(ctx, |s| (s.predecessor_id == self.0.id).then_some(s.successor_id)).await
    }

    /// The units this one took the place of (merged into it, or divided, in part).
    #[graphql(complexity = "successions_complexity(child_complexity)")]
    async fn predecessors(&self, ctx: &Context<'_>) -> GqlResult<Vec<AreaObject>> {
        self.linked(ctx, |s| (s.successor_id == self.0.id).then_some(s.predecessor_id)).await
    }

    /// Every boundary change this unit took part in, as predecessor or successor, each
    /// marked whole or partial; links to units outside the caller's area are left out.
    #[graphql(complexity = "successions_complexity(child_complexity)")]
    async fn successions(&self, ctx: &Context<'_>) -> GqlResult<Vec<AreaSuccessionObject>> {
        let links = ctx.request().loaders.successions.load_one(self.0.id).await.gql()?.unwrap_or_default();
        let mut visible = Vec::new();
        for link in links {
            let predecessor = visible_area(ctx, link.predecessor_id).await?;
            let successor = visible_area(ctx, link.successor_id).await?;
            if let (Some(predecessor), Some(successor)) = (predecessor, successor) {
                visible.push(AreaSuccessionObject { predecessor, successor, link });
            }
        }
        Ok(visible)
    }

    /// The unit's centroid, when the map knows it (units from 2025-07-01).
    async fn location(&self) -> Option<GeoPointObject> {
        self.0.location.map(GeoPointObject)
    }

    /// Surface in km², when the map knows it (units from 2025-07-01).
    async fn area_km2(&self) -> Option<f64> {
        self.0.area_km2
    }

    /// The seed document and section this unit is named in, or the map's dataset.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
}

impl AreaObject {
    /// The units at the other end of this one's boundary changes that `pick` chooses.
    async fn linked(
        &self,
        ctx: &Context<'_>,
        pick: impl Fn(&Succession) -> Option<AreaId>,
    ) -> GqlResult<Vec<AreaObject>> {
        let links = ctx.request().loaders.successions.load_one(self.0.id).await.gql()?.unwrap_or_default();
        let mut areas = Vec::new();
        for id in links.iter().filter_map(&pick) {
            if let Some(area) = visible_area(ctx, id).await? {
                areas.push(AreaObject(area));
            }
        }
        Ok(areas)
    }
}

/// One boundary change between two units.
pub struct AreaSuccessionObject {
    predecessor: Area,
    successor: Area,
    link: Succession,
}

/// A boundary change (merger, division, abolished level): part or all of the predecessor's
/// territory went to the successor on `effectiveOn`.
#[Object(name = "AreaSuccession")]
impl AreaSuccessionObject {
    async fn predecessor(&self) -> AreaObject {
        AreaObject(self.predecessor.clone())
    }

    async fn successor(&self) -> AreaObject {
        AreaObject(self.successor.clone())
    }

    async fn effective_on(&self) -> Date {
        Date(self.link.effective_on)
    }

    /// False when only part of the predecessor went to the successor (a divided commune).
    async fn whole(&self) -> bool {
        self.link.whole
    }
}

pub struct GeoPointObject(pub GeoPoint);

/// A point on the map, in degrees (WGS 84).
#[Object(name = "GeoPoint")]
impl GeoPointObject {
    async fn lat(&self) -> f64 {
        self.0.lat
    }

    async fn lon(&self) -> f64 {
        self.0.lon
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
        let Some(id) = self.0.area_id else { return Ok(None) };
        Ok(visible_area(ctx, id).await?.map(AreaObject))
    }

    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}
