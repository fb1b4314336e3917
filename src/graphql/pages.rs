//! Reading values page by page: a filter read as a selection within the caller's area, the
//! page it asks for (`first`, `after`), and the Relay connection it answers with, for
//! `Query.observations`, `Indicator.observations` and the subscription's filter.

use async_graphql::Context;

use super::context::ContextExt;
use super::error::{GqlResult, OrGql};
use super::helpers::{count, DEFAULT_PAGE_SIZE};
use super::observations::{ObservationConnection, ObservationEdge, ObservationFilter, ObservationObject, PageInfo};
use crate::domain::observations::{Observation, ObservationQuery};
use crate::domain::DomainError;
use crate::service::reads::{select, PageKey, Selection};

/// Cursors are opaque to clients; inside, the id of the last observation seen.
pub fn encode_cursor(id: i64) -> String {
    format!("obs:{id}").bytes().map(|b| format!("{b:02x}")).collect()
}

pub fn decode_cursor(cursor: &str) -> Option<i64> {
    if cursor.len() % 2 != 0 || cursor.len() > 64 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    String::from_utf8(bytes?).ok()?.strip_prefix("obs:")?.parse().ok()
}

/// Reads one page of the observations a filter selects, inside the caller's area.
pub async fn read_page(
    ctx: &Context<'_>,
    filter: ObservationFilter,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<ObservationConnection> {
    let (query, limit) = page_query(ctx, filter, first, &after).await?;
    let (rows, total) = ctx.store().observations(&query).await.gql()?;
    Ok(connection(rows, total.unwrap_or_default(), limit, query.published_only, after.is_some()))
}

/// One indicator's page, read together with every other indicator's of the request.
pub async fn read_indicator_page(
    ctx: &Context<'_>,
    indicator_code: &str,
    filter: ObservationFilter,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<ObservationConnection> {
    let (query, limit) = page_query(ctx, ObservationFilter { indicator_code: None, ..filter }, first, &after).await?;
    let published = query.published_only;
    let key = PageKey { indicator_code: indicator_code.to_owned(), query };
    let (rows, total) = ctx.request().loaders.pages.load_one(key).await.gql()?.unwrap_or_default();
    Ok(connection(rows, total, limit, published, after.is_some()))
}

/// The query of one page, asking for one row more than shown (it tells whether there is a
/// next page), and the page size.
async fn page_query(
    ctx: &Context<'_>,
    filter: ObservationFilter,
    first: Option<i32>,
    after: &Option<String>,
) -> GqlResult<(ObservationQuery, usize)> {
    let max = ctx.data_unchecked::<super::ApiSettings>().max_page_size;
    let limit = match first {
        None => DEFAULT_PAGE_SIZE.min(max),
        Some(n) if n >= 0 && usize::try_from(n).is_ok_and(|n| n <= max) => usize::try_from(n).unwrap_or(max),
        Some(n) => return Err(DomainError::bad_input("first", format!("{n} is not between 0 and {max}"))).gql(),
    };
    let after_id = match after {
        None => None,
        Some(cursor) => Some(
            decode_cursor(cursor)
                .ok_or_else(|| DomainError::bad_input("after", "not a cursor of this connection"))
                .gql()?,
        ),
    };
    let mut query = selection(ctx, filter).await?;
    query.after_id = after_id;
    query.limit = limit + 1;
    query.counted = ctx.look_ahead().field("totalCount").exists();
    Ok((query, limit))
}

fn connection(
    mut rows: Vec<Observation>,
    total: usize,
    limit: usize,
    published: bool,
    after: bool,
) -> ObservationConnection {
    let has_next_page = rows.len() > limit;
    rows.truncate(limit);
    let edges: Vec<ObservationEdge> = rows
        .into_iter()
        .map(|observation| ObservationEdge {
            cursor: encode_cursor(observation.id),
            node: ObservationObject { observation, published },
        })
        .collect();
    ObservationConnection {
        page_info: PageInfo {
            has_next_page,
            has_previous_page: after,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
        total_count: count(total),
    }
}

/// What a filter selects inside the caller's area (no paging yet): BAD_USER_INPUT for a
/// bad period, NOT_FOUND or FORBIDDEN for an unknown or unreachable area.
pub async fn selection(ctx: &Context<'_>, filter: ObservationFilter) -> GqlResult<ObservationQuery> {
    let selection = Selection {
        indicator_code: filter.indicator_code,
        area_code: filter.area_code,
        include_descendants: filter.include_descendants.unwrap_or(false),
        period: filter.period,
        sex: filter.sex.map(Into::into),
        status: filter.status.map(Into::into),
    };
    select(ctx.store().as_ref(), ctx.caller(), selection, "filter.period").await.gql()
}
