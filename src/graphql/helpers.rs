//! What resolvers share: looking up an argument's area within the caller's reach, the
//! figures the disclosure rule may withhold, counts as GraphQL `Int`s, and what lists and
//! pages cost toward the complexity limit.

use async_graphql::Context;

use super::context::ContextExt;
use super::error::{GqlResult, OrGql};
use chrono::NaiveDate;

use crate::domain::areas::{unit_for_period, unit_on, Area, AreaId};
use crate::domain::periods::Period;
use crate::domain::DomainError;
use crate::service::access::units_of_code;

/// A unit the caller may see, or `None`: nested references never leak a unit (or what
/// hangs off it) outside the caller's reach.
pub async fn visible_area(ctx: &Context<'_>, id: AreaId) -> GqlResult<Option<Area>> {
    if !ctx.scope().await?.allows(id) {
        return Ok(None);
    }
    ctx.request().loaders.area.load_one(id).await.gql()
}

/// A value a foreign key guarantees, or NOT_FOUND naming what is missing.
pub fn required<T>(value: Option<T>, what: &'static str, code: &str) -> GqlResult<T> {
    value.ok_or_else(|| DomainError::not_found(what, code)).gql()
}

/// The unit an argument's code names on `valid_on` (default today; an ended unit's code
/// names its last holder): NOT_FOUND when none (listing the units of that name, if it is
/// one), FORBIDDEN outside the caller's reach.
pub async fn find_area(ctx: &Context<'_>, code: &str, valid_on: Option<NaiveDate>) -> GqlResult<Area> {
    let store = ctx.store().as_ref();
    let holders = units_of_code(store, code, None).await.gql()?;
    let day = valid_on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let unit = unit_on(&holders, day).cloned();
    let unit = unit.ok_or_else(|| DomainError::not_found("area valid that day", format!("{code} on {day}"))).gql()?;
    ctx.require_area(unit.id, &unit.code).await?;
    Ok(unit)
}

/// The unit an argument's code names for a period (`domain::areas::unit_for_period`).
pub async fn find_area_for_period(ctx: &Context<'_>, code: &str, period: &Period) -> GqlResult<Area> {
    let holders = units_of_code(ctx.store().as_ref(), code, None).await.gql()?;
    let unit = unit_for_period(&holders, period).cloned();
    let unit =
        unit.ok_or_else(|| DomainError::not_found("area valid in that period", format!("{code} in {period}"))).gql()?;
    ctx.require_area(unit.id, &unit.code).await?;
    Ok(unit)
}

/// The units a list query may return: what the units of `area_code` reach, when given
/// (some must be inside the caller's reach), else the caller's scope; `None` means
/// everything.
pub async fn reach_within_scope(ctx: &Context<'_>, area_code: Option<&str>) -> GqlResult<Option<Vec<AreaId>>> {
    let codes: Vec<String> = area_code.map(str::to_owned).into_iter().collect();
    crate::service::access::areas_to_read(ctx.store().as_ref(), ctx.caller(), &codes, true, None).await.gql()
}

/// Whether the disclosure rule may withhold figures of this indicator from the caller: a
/// partner, and a sensitive indicator (or one unknown, to be safe).
pub async fn may_withhold(ctx: &Context<'_>, indicator_code: &str) -> GqlResult<bool> {
    if !ctx.caller().reads_published_only() {
        return Ok(false);
    }
    let indicator = ctx.request().loaders.indicator.load_one(indicator_code.to_owned()).await.gql()?;
    Ok(indicator.is_none_or(|i| i.sensitive))
}

/// A count as GraphQL's `Int`, capped at its largest.
pub fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Default page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// A page costs its items' complexity once per row it may return. A `first` over the
/// largest page is counted as the largest page: the page-size limit refuses it anyway,
/// before anything runs (limits.rs).
pub fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = first.map_or(DEFAULT_PAGE_SIZE, |n| usize::try_from(n).unwrap_or(0));
    rows.clamp(1, MAX_PAGE_SIZE).saturating_mul(child_complexity).min(COMPLEXITY_CEILING)
}

/// A top-level list of the catalogue (areas, agencies, indicators, plans) costs its items'
/// complexity as if it held this many: tens each, today.
pub fn list_complexity(child_complexity: usize) -> usize {
    50usize.saturating_mul(child_complexity).min(COMPLEXITY_CEILING)
}

/// `areas` costs its items' complexity as if it held 50 units when narrowed to a parent's
/// children or a search, and 1,000 when it may return the whole map (14,150 units): a
/// nested walk of the whole map's successions is refused before it runs.
pub fn areas_complexity(narrowed: bool, child_complexity: usize) -> usize {
    let rows: usize = if narrowed { 50 } else { 1_000 };
    rows.saturating_mul(child_complexity).min(COMPLEXITY_CEILING)
}

/// A unit's children count as a province's communes (up to a few hundred); its boundary
/// changes as up to ten.
pub fn children_complexity(child_complexity: usize) -> usize {
    200usize.saturating_mul(child_complexity).min(COMPLEXITY_CEILING)
}

pub fn successions_complexity(child_complexity: usize) -> usize {
    10usize.saturating_mul(child_complexity).min(COMPLEXITY_CEILING)
}

/// The most a list or a page is counted, however deep the pages inside it. async-graphql
/// adds the complexities of sibling fields with a plain `+`, so a page of pages of pages
/// (observations → indicator → observations …, six deep) that saturated at `usize::MAX`
/// overflowed as soon as one more field was added: a panic where overflow checks are on
/// (found by fuzzing), and in a release build a wrap-around to a small number that let the
/// operation past the complexity limit. Far above any limit, and far enough below
/// `usize::MAX` that no operation has fields enough to add up to it.
pub const COMPLEXITY_CEILING: usize = 1 << 32;

/// The largest page any setting allows.
pub const MAX_PAGE_SIZE: usize = 1_000;
