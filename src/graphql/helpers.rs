//! What resolvers share: looking up an argument's area within the caller's reach, the
//! figures the disclosure rule may withhold, counts as GraphQL `Int`s, and what lists and
//! pages cost toward the complexity limit.

use async_graphql::Context;

use super::context::ContextExt;
use super::error::{GqlResult, OrGql};
use crate::domain::areas::Area;
use crate::domain::DomainError;

/// An area the caller may see, or `None`: nested references never leak an area (or what
/// hangs off it) outside the caller's subtree.
pub async fn visible_area(ctx: &Context<'_>, code: &str) -> GqlResult<Option<Area>> {
    if !ctx.scope().await?.allows(code) {
        return Ok(None);
    }
    ctx.request().loaders.area.load_one(code.to_owned()).await.gql()
}

/// A value a foreign key guarantees, or NOT_FOUND naming what is missing.
pub fn required<T>(value: Option<T>, what: &'static str, code: &str) -> GqlResult<T> {
    value.ok_or_else(|| DomainError::not_found(what, code)).gql()
}

/// An area named in an argument: NOT_FOUND when unknown, FORBIDDEN outside the caller's area.
pub async fn find_area(ctx: &Context<'_>, code: &str) -> GqlResult<Area> {
    let area = ctx.request().loaders.area.load_one(code.to_owned()).await.gql()?;
    let area = area.ok_or_else(|| DomainError::not_found("area", code)).gql()?;
    ctx.require_area(code).await?;
    Ok(area)
}

/// The area codes a list query may return: the subtree of `area_code` when given (which
/// must be inside the caller's area), else the caller's scope; `None` means everything.
pub async fn subtree_within_scope(ctx: &Context<'_>, area_code: Option<&str>) -> GqlResult<Option<Vec<String>>> {
    let scope = ctx.scope().await?;
    match area_code {
        None => Ok(scope.restrict(None)),
        Some(code) => {
            find_area(ctx, code).await?;
            let subtree = ctx.store().area_subtree(code).await.gql()?;
            Ok(scope.restrict(Some(subtree)))
        }
    }
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
