//! SDMX REST 2.1 over HTTP: `GET /sdmx/2.1/data/{flow}/{key}` (SDMX-ML 2.1 generic or
//! structure-specific, SDMX-CSV 1.0 or 2.0, or SDMX-JSON 1.0, as the Accept header or
//! `format` asks; generic SDMX-ML when any will do, as SDMX says) and
//! `GET /sdmx/2.1/{dataflow|datastructure|conceptscheme|codelist}/{agency}/{id}/{version}`
//! (SDMX-ML 2.1). Both take the caller's bearer token like every other endpoint.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{request_id, Authenticated, ParamNames, Params};
use super::problem::{domain_problem, problem};
use super::AppState;
use crate::domain::sdmx::data::{AtObservation, DataFormat};
use crate::domain::DomainError;
use crate::error::ErrorCode;
use crate::service::sdmx::{self as use_case, DataMessage, DataQuery, Resource, StructureQuery};
use crate::service::Caller;

const GENERIC: &str = "application/vnd.sdmx.genericdata+xml;version=2.1";
const STRUCTURE_SPECIFIC: &str = "application/vnd.sdmx.structurespecificdata+xml;version=2.1";
const CSV_1: &str = "application/vnd.sdmx.data+csv;version=1.0.0";
const CSV_2: &str = "application/vnd.sdmx.data+csv;version=2.0.0";
const JSON_1: &str = "application/vnd.sdmx.data+json;version=1.0.0";
const STRUCTURE_ML: &str = "application/vnd.sdmx.structure+xml;version=2.1";

fn domain_error(e: DomainError, headers: &HeaderMap) -> Response {
    domain_problem(&e, request_id(headers).unwrap_or("-"))
}

/// The media types the Accept headers list, best first (by `q`, then as written), each as
/// `type/subtype` with its `version` when it names one (`…data+csv;version=2.0.0`); other
/// parameters (`labels=both`) do not change what is written.
fn accepted(headers: &HeaderMap) -> Vec<String> {
    let values: Vec<&str> = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect();
    let text = if values.is_empty() { "*/*".to_owned() } else { values.join(",") };
    let mut listed: Vec<(f32, usize, String)> = text
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';').map(|p| p.trim().to_ascii_lowercase());
            let media = parts.next().filter(|m| !m.is_empty())?;
            let mut q = 1.0f32;
            let mut rest = Vec::new();
            for p in parts {
                let p = p.replace(' ', "");
                if let Some(v) = p.strip_prefix("q=") {
                    q = v.parse().unwrap_or(0.0);
                } else if p.starts_with("version=") {
                    rest.push(p);
                }
            }
            let media = if rest.is_empty() { media } else { format!("{media};{}", rest.join(";")) };
            (q > 0.0).then_some((q, i, media))
        })
        .collect();
    listed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    listed.into_iter().map(|(_, _, m)| m).collect()
}

/// The data format asked for: `format` first, else the best Accept entry this hub writes
/// (a version it does not write, such as SDMX-JSON 2.0, is passed over).
fn data_format(format: Option<&str>, headers: &HeaderMap) -> Result<DataFormat, (ErrorCode, String)> {
    if let Some(format) = format {
        return match format.to_ascii_lowercase().as_str() {
            "genericdata" | "sdmx-ml" => Ok(DataFormat::Generic),
            "structurespecificdata" => Ok(DataFormat::StructureSpecific),
            "csv" | "sdmx-csv" | "csvfile" | "sdmx-csv-1.0" => Ok(DataFormat::Csv1),
            "sdmx-csv-2.0" => Ok(DataFormat::Csv2),
            "json" | "jsondata" | "sdmx-json" => Ok(DataFormat::Json1),
            other => Err((
                ErrorCode::BadUserInput,
                format!("format: `{other}` is not one this hub writes: genericdata, structurespecificdata, sdmx-csv (1.0), sdmx-csv-2.0 or sdmx-json"),
            )),
        };
    }
    for media in accepted(headers) {
        let (kind, version) = media.split_once(";version=").unwrap_or((media.as_str(), ""));
        let chosen = match (kind, version) {
            ("application/vnd.sdmx.genericdata+xml", "" | "2.1") => Some(DataFormat::Generic),
            ("application/vnd.sdmx.structurespecificdata+xml", "" | "2.1") => Some(DataFormat::StructureSpecific),
            ("application/vnd.sdmx.data+csv", "" | "1" | "1.0" | "1.0.0") | ("text/csv", _) => Some(DataFormat::Csv1),
            ("application/vnd.sdmx.data+csv", "2" | "2.0" | "2.0.0") => Some(DataFormat::Csv2),
            ("application/vnd.sdmx.data+json", "" | "1" | "1.0" | "1.0.0") | ("application/json", _) => {
                Some(DataFormat::Json1)
            }
            ("application/xml" | "text/xml" | "*/*" | "application/*", _) => Some(DataFormat::Generic),
            _ => None,
        };
        if let Some(format) = chosen {
            return Ok(format);
        }
    }
    Err((
        ErrorCode::NotAcceptable,
        format!(
            "this hub writes SDMX data as {GENERIC}, {STRUCTURE_SPECIFIC}, {CSV_1}, {CSV_2} or {JSON_1} \
             (or ?format=genericdata, structurespecificdata, sdmx-csv, sdmx-csv-2.0, sdmx-json)"
        ),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataParams {
    start_period: Option<String>,
    end_period: Option<String>,
    dimension_at_observation: Option<String>,
    /// `full` (the default) or `dataonly` (no attributes but the figures).
    detail: Option<String>,
    /// Only `false`: a value's history is GraphQL's (`Observation.history`).
    include_history: Option<bool>,
    format: Option<String>,
}

impl ParamNames for DataParams {
    const NAMES: &'static [&'static str] =
        &["startPeriod", "endPeriod", "dimensionAtObservation", "detail", "includeHistory", "format"];
}

/// A message's id and when it was prepared, for its header.
fn stamp(headers: &HeaderMap) -> (String, String) {
    // SDMX's IDType: letters, digits, `_`, `-`, `@`, `$`; a client's own request id may hold more.
    let safe = |r: &str| -> String { r.chars().filter(|c| c.is_ascii_alphanumeric() || "_-@$".contains(*c)).collect() };
    let id = request_id(headers).map_or_else(|| "GDH".to_owned(), |r| format!("GDH-{}", safe(r)));
    (id, chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn answer(body: Vec<u8>, media_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    response
}

async fn data(
    state: AppState,
    principal: crate::auth::Principal,
    flow: String,
    key: String,
    params: DataParams,
    headers: HeaderMap,
) -> Response {
    let format = match data_format(params.format.as_deref(), &headers) {
        Ok(format) => format,
        Err((code, message)) => return problem(code, &message),
    };
    let at = match AtObservation::parse(params.dimension_at_observation.as_deref()) {
        Ok(at) => at,
        Err(message) => return problem(ErrorCode::BadUserInput, &format!("dimensionAtObservation: {message}")),
    };
    let data_only = match params.detail.as_deref() {
        None | Some("full") => false,
        Some("dataonly") => true,
        Some(other) => {
            return problem(
                ErrorCode::BadUserInput,
                &format!("detail: `{other}` is not one this hub gives: full or dataonly"),
            )
        }
    };
    if params.include_history == Some(true) {
        return problem(
            ErrorCode::BadUserInput,
            "includeHistory: this hub gives the current values; each value's revisions are in GraphQL (Observation.history)",
        );
    }
    let caller = Caller::new(principal, request_id(&headers).map(str::to_owned));
    let query = DataQuery { flow, key, start_period: params.start_period, end_period: params.end_period };
    let (id, prepared) = stamp(&headers);
    let message = DataMessage { format, at, data_only, id, prepared };
    let media_type = match format {
        DataFormat::Generic => GENERIC,
        DataFormat::StructureSpecific => STRUCTURE_SPECIFIC,
        DataFormat::Csv1 => CSV_1,
        DataFormat::Csv2 => CSV_2,
        DataFormat::Json1 => JSON_1,
    };
    match use_case::data_message(state.store.as_ref(), &caller, query, message).await {
        Ok(body) => answer(body, media_type),
        Err(e) => domain_error(e, &headers),
    }
}

/// `GET /sdmx/2.1/data/{flow}` (every series).
pub async fn data_all(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(flow): Path<String>,
    Params(params): Params<DataParams>,
    headers: HeaderMap,
) -> Response {
    data(state, principal, flow, String::new(), params, headers).await
}

/// `GET /sdmx/2.1/data/{flow}/{key}`.
pub async fn data_key(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((flow, key)): Path<(String, String)>,
    Params(params): Params<DataParams>,
    headers: HeaderMap,
) -> Response {
    data(state, principal, flow, key, params, headers).await
}

/// `GET /sdmx/2.1/data/{flow}/{key}/{provider}`: the hub is the only provider.
pub async fn data_key_provider(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path((flow, key, provider)): Path<(String, String, String)>,
    Params(params): Params<DataParams>,
    headers: HeaderMap,
) -> Response {
    if !matches!(provider.as_str(), "all" | "GDH" | "*") {
        return problem(
            ErrorCode::NotFound,
            &format!("no data provider `{provider}`; this hub's data is its own: all"),
        );
    }
    data(state, principal, flow, key, params, headers).await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructureParams {
    references: Option<String>,
    /// Only `full` is given.
    detail: Option<String>,
}

impl ParamNames for StructureParams {
    const NAMES: &'static [&'static str] = &["references", "detail"];
}

/// `GET /sdmx/2.1/{resource}[/{agency}[/{id}[/{version}]]]`.
pub async fn structure(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Path(parts): Path<Vec<(String, String)>>,
    Params(params): Params<StructureParams>,
    headers: HeaderMap,
) -> Response {
    let part = |name: &str| parts.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let resource_name = part("resource").unwrap_or_default();
    if resource_name == "data" {
        return problem(
            ErrorCode::NotFound,
            "a data query names its dataflow and key: /sdmx/2.1/data/GDH,DF_GENDER,1.0/{key}",
        );
    }
    let Some(resource) = Resource::named(&resource_name) else {
        return problem(
            ErrorCode::NotFound,
            &format!(
                "no SDMX resource `{resource_name}` here: dataflow, datastructure, conceptscheme, codelist (and data)"
            ),
        );
    };
    if !matches!(params.detail.as_deref(), None | Some("full")) {
        return problem(ErrorCode::BadUserInput, "detail: this hub gives structures in full only (detail=full)");
    }
    let xml_accepted = accepted(&headers).iter().any(|m| {
        m.starts_with("application/vnd.sdmx.structure+xml")
            || matches!(m.as_str(), "application/xml" | "text/xml" | "*/*" | "application/*")
    });
    if !xml_accepted {
        return problem(ErrorCode::NotAcceptable, &format!("this hub writes structures as {STRUCTURE_ML}"));
    }
    let query = StructureQuery {
        resource,
        agency: part("agency").unwrap_or_else(|| "all".to_owned()),
        id: part("id").unwrap_or_else(|| "all".to_owned()),
        version: part("version").unwrap_or_else(|| "latest".to_owned()),
        references: params.references,
    };
    let (id, prepared) = stamp(&headers);
    let caller = Caller::new(principal, request_id(&headers).map(str::to_owned));
    match use_case::structure(state.store.as_ref(), &caller, query, &id, &prepared).await {
        Ok(body) => answer(body, STRUCTURE_ML),
        Err(e) => domain_error(e, &headers),
    }
}
