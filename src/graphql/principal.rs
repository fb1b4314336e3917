//! `me`: the caller as its token names it. Its agency and area are read without the scope
//! check of nested references: they are the caller's own, and define its scope.

use async_graphql::{Context, Object};

use super::areas::{AgencyObject, AreaObject};
use super::context::ContextExt;
use super::enums::RoleEnum;
use super::error::{GqlResult, OrGql};
use crate::auth::Principal;
use crate::domain::areas::unit_named;

pub struct PrincipalObject(pub Principal);

/// The caller, as its token names it.
#[Object(name = "Principal")]
impl PrincipalObject {
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    async fn role(&self) -> RoleEnum {
        self.0.role.into()
    }

    async fn agency(&self, ctx: &Context<'_>) -> GqlResult<Option<AgencyObject>> {
        let Some(code) = &self.0.agency_code else { return Ok(None) };
        Ok(ctx.request().loaders.agency.load_one(code.clone()).await.gql()?.map(AgencyObject))
    }

    async fn area(&self, ctx: &Context<'_>) -> GqlResult<Option<AreaObject>> {
        let Some(code) = &self.0.area_code else { return Ok(None) };
        let holders = ctx.store().areas_by_codes(std::slice::from_ref(code)).await.gql()?;
        Ok(unit_named(&holders, self.0.area_on).cloned().map(AreaObject))
    }
}
