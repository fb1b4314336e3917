//! The built-in dashboard (`/dashboard`): a page for a provincial leader or a district
//! officer, served by the binary and working with no network at all. The page and its
//! script are static (`index.html`, `app.js`, `style.css`, compiled in); signed in with a
//! token, the script asks `GET /dashboard/view` (bearer token, like the API) for the view
//! of an area and a plan, which the server renders whole, charts as inline SVG
//! (`charts`), in Vietnamese or English (`render`).

mod charts;
mod render;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::extract::{request_id, Authenticated, ParamNames, Params};
use super::problem::domain_problem;
use super::AppState;
use crate::domain::DomainError;
use crate::service::dashboard::{dashboard, DashboardRequest};
use crate::service::Caller;

pub use render::Lang;

const PAGE: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("style.css");

/// `GET /dashboard`: the page; it needs no token until it asks for a view.
pub async fn page() -> Response {
    Html(PAGE).into_response()
}

pub async fn script() -> Response {
    file(SCRIPT, "text/javascript; charset=utf-8")
}

pub async fn style() -> Response {
    file(STYLE, "text/css; charset=utf-8")
}

fn file(text: &'static str, content_type: &'static str) -> Response {
    let mut response = text.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Not versioned in its URL: a new binary's page must be picked up at once.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[derive(Debug, Deserialize)]
pub struct ViewParams {
    area: Option<String>,
    plan: Option<String>,
    year: Option<String>,
    lang: Option<String>,
}

impl ParamNames for ViewParams {
    const NAMES: &'static [&'static str] = &["area", "plan", "year", "lang"];
}

/// `GET /dashboard/view?area=&plan=&year=&lang=`: the view as an HTML fragment, for the
/// caller's token; errors as the API's JSON (401, 403, 404, 400).
pub async fn view(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Params(params): Params<ViewParams>,
    headers: HeaderMap,
) -> Response {
    let request_id = request_id(&headers).unwrap_or("-").to_owned();
    let refused = |e: DomainError| domain_problem(&e, &request_id);
    let lang = match params.lang.as_deref() {
        None | Some("") | Some("vi") => Lang::Vi,
        Some("en") => Lang::En,
        Some(other) => return refused(DomainError::bad_input("lang", format!("`{other}`: vi or en"))),
    };
    let year = match params.year.as_deref().filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => match y.parse::<i32>() {
            Ok(year) if (1990..=2100).contains(&year) => Some(year),
            _ => return refused(DomainError::bad_input("year", format!("`{y}` is not a year"))),
        },
    };
    let request = DashboardRequest {
        area_code: params.area.filter(|a| !a.is_empty()),
        plan_code: params.plan.filter(|p| !p.is_empty()),
        year,
    };
    let caller = Caller::new(principal, Some(request_id.clone()));
    match dashboard(state.store.as_ref(), &caller, request).await {
        Ok(page) => {
            let mut response = Html(render::view(&page, lang)).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => refused(e),
    }
}
