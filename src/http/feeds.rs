//! Files over HTTP: `POST /api/v1/feeds/observations` (plain CSV, SDMX-CSV 2.0 or an Excel
//! workbook, answered with the push summary as JSON), `GET /api/v1/observations.csv` and
//! `.xlsx` (the export of what the caller may read), and `GET /api/v1/templates/{plan}.xlsx`
//! (a reporting template to fill in and push back).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::extract::{request_id, Authenticated, ParamNames, Params};
use super::problem::{domain_problem, problem};
use super::AppState;
use crate::domain::feeds::{self, Delimiter, ParsedFeed};
use crate::domain::observations::{ObservationOrder, ObservationStatus, Sex};
use crate::domain::DomainError;
use crate::error::{ErrorCode, INTERNAL_MESSAGE};
use crate::service::export::{export_csv, export_xlsx};
use crate::service::push::{may_push, push, PushRequest};
use crate::service::reads::Selection;
use crate::service::templates::{template, TemplateRequest};
use crate::service::{Actor, Caller};

/// A domain error as JSON, quoting the request's id.
fn domain_error(e: DomainError, headers: &HeaderMap) -> Response {
    domain_problem(&e, request_id(headers).unwrap_or("-"))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedParams {
    #[serde(default)]
    dry_run: bool,
    #[serde(default = "yes")]
    atomic: bool,
    idempotency_key: Option<String>,
    /// `,`, `;` or `tab`; found from the header when not given.
    delimiter: Option<String>,
}

impl ParamNames for FeedParams {
    const NAMES: &'static [&'static str] = &["dryRun", "atomic", "idempotencyKey", "delimiter"];
}

fn yes() -> bool {
    true
}

/// Parses the feed record by record as its bytes arrive, never holding the whole body:
/// the CSV reader runs on a blocking thread, fed from the request stream, and the body is
/// cut off (413) at `max_bytes` whether or not the client said how long it was.
async fn parse_streamed(
    body: Body,
    max_rows: usize,
    max_bytes: usize,
    delimiter: Delimiter,
) -> Result<ParsedFeed, Box<Response>> {
    use async_graphql::futures_util::TryStreamExt;
    let too_large = Arc::new(AtomicBool::new(false));
    let flag = too_large.clone();
    let mut seen = 0usize;
    // The body limit layer ends the stream with its own error at the same size.
    let cut = too_large.clone();
    let stream = body
        .into_data_stream()
        .map_err(move |e| {
            if e.to_string().contains("length limit exceeded") {
                cut.store(true, Ordering::SeqCst);
            }
            std::io::Error::other(e)
        })
        .and_then(move |chunk| {
            seen = seen.saturating_add(chunk.len());
            let over = seen > max_bytes;
            if over {
                flag.store(true, Ordering::SeqCst);
            }
            async_graphql::futures_util::future::ready(if over {
                Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, "the feed is over the size limit"))
            } else {
                Ok(chunk)
            })
        });
    let reader = SyncIoBridge::new(StreamReader::new(stream));
    let parsed = tokio::task::spawn_blocking(move || feeds::parse(reader, max_rows, delimiter)).await;
    match parsed {
        Ok(Ok(feed)) => Ok(feed),
        _ if too_large.load(Ordering::SeqCst) => Err(Box::new(problem(
            ErrorCode::PayloadTooLarge,
            &format!("a feed holds at most {max_bytes} bytes; split it"),
        ))),
        Ok(Err(e)) => Err(Box::new(problem(ErrorCode::BadUserInput, &e.to_string()))),
        Err(e) => {
            tracing::error!(error = %e, "the feed parser stopped");
            Err(Box::new(problem(ErrorCode::Internal, INTERNAL_MESSAGE)))
        }
    }
}

/// An Excel workbook's media type.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Reads a workbook, which must be whole before it can be opened (its index is at its
/// end); cut off (413) at `max_bytes`.
async fn parse_workbook(body: Body, max_rows: usize, max_bytes: usize) -> Result<ParsedFeed, Box<Response>> {
    let too_large =
        || Box::new(problem(ErrorCode::PayloadTooLarge, &format!("a feed holds at most {max_bytes} bytes; split it")));
    let bytes = axum::body::to_bytes(body, max_bytes).await.map_err(|_| too_large())?;
    match tokio::task::spawn_blocking(move || feeds::parse_xlsx(&bytes, max_rows)).await {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(e)) => Err(Box::new(problem(ErrorCode::BadUserInput, &e.to_string()))),
        Err(e) => {
            tracing::error!(error = %e, "the workbook reader stopped");
            Err(Box::new(problem(ErrorCode::Internal, INTERNAL_MESSAGE)))
        }
    }
}

pub async fn push_feed(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Params(params): Params<FeedParams>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let workbook = media_type == XLSX;
    if media_type != "text/csv" && !workbook {
        return problem(ErrorCode::UnsupportedMediaType, &format!("send the feed as text/csv or {XLSX} (.xlsx)"));
    }
    if let Err(e) = may_push(&principal) {
        return domain_error(e, &headers);
    }
    let delimiter = match params.delimiter.as_deref().map(str::parse::<Delimiter>).transpose() {
        Ok(d) => d.unwrap_or_default(),
        Err(()) => return problem(ErrorCode::BadUserInput, "delimiter: `,`, `;` or `tab`"),
    };
    let max_rows = state.settings.max_push_rows;
    let max_bytes = state.settings.max_feed_bytes;
    let parsed = if workbook {
        parse_workbook(body, max_rows, max_bytes).await
    } else {
        parse_streamed(body, max_rows, max_bytes, delimiter).await
    };
    let feed = match parsed {
        Ok(feed) => feed,
        Err(response) => return *response,
    };
    let caller = Caller::new(principal, request_id(&headers).map(str::to_owned));
    let request = PushRequest {
        rows: feed.rows,
        row_numbers: feed.row_numbers,
        rejected_before: feed.errors,
        total_rows: feed.total_rows,
        dry_run: params.dry_run,
        atomic: params.atomic,
        idempotency_key: params
            .idempotency_key
            .or_else(|| headers.get(super::IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()).map(str::to_owned)),
    };
    match push(state.store.as_ref(), Actor::Token(&caller), request, max_rows).await {
        Ok(summary) => {
            state.metrics.pushed(&summary);
            Json(summary).into_response()
        }
        Err(e) => domain_error(e, &headers),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportParams {
    indicator_code: Option<String>,
    /// Lists are comma-separated: `areaCodes=01,24`.
    indicator_codes: Option<String>,
    area_code: Option<String>,
    area_codes: Option<String>,
    #[serde(default)]
    include_descendants: bool,
    period: Option<String>,
    periods: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
    sex: Option<String>,
    status: Option<String>,
}

impl ParamNames for ExportParams {
    const NAMES: &'static [&'static str] = &[
        "indicatorCode",
        "indicatorCodes",
        "areaCode",
        "areaCodes",
        "includeDescendants",
        "period",
        "periods",
        "periodFrom",
        "periodTo",
        "sex",
        "status",
    ];
}

/// A comma-separated list of a URL parameter.
fn list(param: Option<String>) -> Option<Vec<String>> {
    param.map(|p| p.split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect())
}

pub async fn export(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Params(params): Params<ExportParams>,
    headers: HeaderMap,
) -> Response {
    let caller = Caller::new(principal, request_id(&headers).map(str::to_owned));
    let exported = match selection(params) {
        Ok(selection) => export_csv(state.store.as_ref(), &caller, selection).await,
        Err(e) => Err(e),
    };
    file_or_error(exported, "text/csv; charset=utf-8", None, &headers)
}

/// `GET /api/v1/observations.xlsx`: the export as a workbook.
pub async fn export_workbook(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Params(params): Params<ExportParams>,
    headers: HeaderMap,
) -> Response {
    let caller = Caller::new(principal, request_id(&headers).map(str::to_owned));
    let exported = match selection(params) {
        Ok(selection) => export_xlsx(state.store.as_ref(), &caller, selection).await,
        Err(e) => Err(e),
    };
    file_or_error(exported, XLSX, Some("observations.xlsx"), &headers)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateParams {
    agency_code: Option<String>,
    period: Option<String>,
}

impl ParamNames for TemplateParams {
    const NAMES: &'static [&'static str] = &["agencyCode", "period"];
}

/// `GET /api/v1/templates/{planCode}.xlsx?agencyCode=&period=`.
pub async fn template_workbook(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(file): Path<String>,
    Params(params): Params<TemplateParams>,
    headers: HeaderMap,
) -> Response {
    let Some(plan_code) = file.strip_suffix(".xlsx") else {
        return problem(ErrorCode::NotFound, "templates are workbooks: /api/v1/templates/{planCode}.xlsx");
    };
    let (Some(agency_code), Some(period)) = (params.agency_code, params.period) else {
        let e = DomainError::bad_input(
            "agencyCode",
            "agencyCode and period are both needed, e.g. ?agencyCode=216-CCTK&period=2024",
        );
        return domain_error(e, &headers);
    };
    let caller = Caller::new(principal, request_id(&headers).map(str::to_owned));
    let request = TemplateRequest { plan_code: plan_code.to_owned(), agency_code, period };
    let name = format!("{plan_code}-{}-{}.xlsx", request.agency_code, request.period);
    let made = template(state.store.as_ref(), &caller, request).await;
    file_or_error(made, XLSX, Some(&name), &headers)
}

/// A file's bytes with its media type (and, for a download, its name), or the error.
fn file_or_error(
    made: Result<Vec<u8>, DomainError>,
    media_type: &'static str,
    download: Option<&str>,
    headers: &HeaderMap,
) -> Response {
    match made {
        Ok(body) => {
            let mut response = body.into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            let disposition = download.and_then(|name| {
                let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
                HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")).ok()
            });
            if let Some(value) = disposition {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => domain_error(e, headers),
    }
}

/// The URL's selection, its names read as the GraphQL filter's enums are.
fn selection(params: ExportParams) -> Result<Selection, DomainError> {
    let sex = params
        .sex
        .as_deref()
        .map(|s| Sex::read(s).ok_or_else(|| DomainError::bad_input("sex", Sex::WORDS)))
        .transpose()?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            s.parse::<ObservationStatus>()
                .map_err(|_| DomainError::bad_input("status", "SUBMITTED, APPROVED or REJECTED"))
        })
        .transpose()?;
    Ok(Selection {
        indicator_code: params.indicator_code,
        indicator_codes: list(params.indicator_codes),
        area_code: params.area_code,
        area_codes: list(params.area_codes),
        include_descendants: params.include_descendants,
        period: params.period,
        periods: list(params.periods),
        period_from: params.period_from,
        period_to: params.period_to,
        sex,
        status,
        order: ObservationOrder::Id,
    })
}
