//! Reading values page by page: a filter read as a selection within the caller's area, the
//! page it asks for (`first`, `after`), and the Relay connection it answers with, for
//! `Query.observations`, `Indicator.observations` and the subscription's filter.

use async_graphql::Context;

use super::context::ContextExt;
use super::error::{GqlResult, OrGql};
use super::helpers::{count, DEFAULT_PAGE_SIZE};
use super::observations::{ObservationConnection, ObservationEdge, ObservationFilter, ObservationObject, PageInfo};
use crate::domain::observations::{After, Observation, ObservationOrder, ObservationQuery};
use crate::domain::DomainError;
use crate::service::reads::{select, PageKey, Selection};

/// Cursors are opaque to clients; inside, where the last observation seen stands in the
/// page's order: its id, and its period when reading by period.
pub fn encode_cursor(after: &After) -> String {
    let text = match &after.period {
        None => format!("obs:{}", after.id),
        Some(period) => format!("obs:{period}:{}", after.id),
    };
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// A cursor of a connection read in `order`; `None` for anything else, a cursor of the
/// other order included.
pub fn decode_cursor(cursor: &str, order: ObservationOrder) -> Option<After> {
    if cursor.len() % 2 != 0 || cursor.len() > 96 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let rest = text.strip_prefix("obs:")?;
    match (order, rest.rsplit_once(':')) {
        (ObservationOrder::Id, None) => Some(After { id: rest.parse().ok()?, period: None }),
        (ObservationOrder::Period, Some((period, id))) => {
            let period: crate::domain::periods::Period = period.parse().ok()?;
            Some(After { id: id.parse().ok()?, period: Some(period.to_string()) })
        }
        _ => None,
    }
}

/// Reads one page of the observations a filter selects, inside the caller's area.
pub async fn read_page(
    ctx: &Context<'_>,
    filter: ObservationFilter,
    order: ObservationOrder,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<ObservationConnection> {
    let (query, limit) = page_query(ctx, filter, order, first, &after).await?;
    let (rows, total) = ctx.store().observations(&query).await.gql()?;
    Ok(connection(rows, total.unwrap_or_default(), limit, &query, after.is_some()))
}

/// One indicator's page, read together with every other indicator's of the request.
pub async fn read_indicator_page(
    ctx: &Context<'_>,
    indicator_code: &str,
    filter: ObservationFilter,
    order: ObservationOrder,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<ObservationConnection> {
    let filter = ObservationFilter { indicator_code: None, indicator_codes: None, ..filter };
    let (query, limit) = page_query(ctx, filter, order, first, &after).await?;
    let key = PageKey { indicator_code: indicator_code.to_owned(), query };
    let (rows, total) = ctx.request().loaders.pages.load_one(key.clone()).await.gql()?.unwrap_or_default();
    Ok(connection(rows, total, limit, &key.query, after.is_some()))
}

/// The query of one page, asking for one row more than shown (it tells whether there is a
/// next page), and the page size.
async fn page_query(
    ctx: &Context<'_>,
    filter: ObservationFilter,
    order: ObservationOrder,
    first: Option<i32>,
    after: &Option<String>,
) -> GqlResult<(ObservationQuery, usize)> {
    let max = ctx.data_unchecked::<super::ApiSettings>().max_page_size;
    let limit = match first {
        None => DEFAULT_PAGE_SIZE.min(max),
        Some(n) if n >= 0 && usize::try_from(n).is_ok_and(|n| n <= max) => usize::try_from(n).unwrap_or(max),
        Some(n) => return Err(DomainError::bad_input("first", format!("{n} is not between 0 and {max}"))).gql(),
    };
    let after = match after {
        None => None,
        Some(cursor) => Some(
            decode_cursor(cursor, order)
                .ok_or_else(|| DomainError::bad_input("after", "not a cursor of this connection in this order"))
                .gql()?,
        ),
    };
    let mut query = selection(ctx, filter, order).await?;
    query.after = after;
    query.limit = limit + 1;
    query.counted = ctx.look_ahead().field("totalCount").exists();
    Ok((query, limit))
}

fn connection(
    mut rows: Vec<Observation>,
    total: usize,
    limit: usize,
    query: &ObservationQuery,
    after: bool,
) -> ObservationConnection {
    let has_next_page = rows.len() > limit;
    rows.truncate(limit);
    let edges: Vec<ObservationEdge> = rows
        .into_iter()
        .map(|observation| ObservationEdge {
            cursor: encode_cursor(&After::value(&observation, query.order)),
            node: ObservationObject { observation, published: query.published_only },
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
/// bad period or a condition given twice, NOT_FOUND or FORBIDDEN for an unknown or
/// unreachable area.
pub async fn selection(
    ctx: &Context<'_>,
    filter: ObservationFilter,
    order: ObservationOrder,
) -> GqlResult<ObservationQuery> {
    let selection = Selection {
        indicator_code: filter.indicator_code,
        indicator_codes: filter.indicator_codes,
        area_code: filter.area_code,
        area_codes: filter.area_codes,
        include_descendants: filter.include_descendants.unwrap_or(false),
        period: filter.period,
        periods: filter.periods,
        period_from: filter.period_from,
        period_to: filter.period_to,
        sex: filter.sex.map(Into::into),
        status: filter.status.map(Into::into),
        order,
    };
    select(ctx.store().as_ref(), ctx.caller(), selection, "filter.").await.gql()
}
