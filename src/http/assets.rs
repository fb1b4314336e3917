//! Files the binary serves itself: GraphiQL's page and its pinned production builds
//! (`assets/graphiql/README.md`), compiled in so that they need no network. Each URL
//! carries the GraphiQL version, so browsers may keep the files for a year.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::problem::problem;
use crate::error::ErrorCode;

/// The version in the assets' URLs (`/graphiql/3.8.3/…`) and in `index.html`.
pub const GRAPHIQL_VERSION: &str = "3.8.3";

/// GraphiQL's page (`GET /graphql`).
pub const GRAPHIQL_PAGE: &str = include_str!("assets/graphiql/index.html");

/// (file name, content type, bytes).
const GRAPHIQL_FILES: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("assets/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/graphiql/react-dom.production.min.js"),
    ),
    ("start.js", "text/javascript; charset=utf-8", include_bytes!("assets/graphiql/start.js")),
];

/// `GET /graphiql/{version}/{file}`: one of GraphiQL's files, or 404.
pub async fn graphiql_file(Path((version, file)): Path<(String, String)>) -> Response {
    let found = GRAPHIQL_FILES.iter().find(|(name, _, _)| *name == file).filter(|_| version == GRAPHIQL_VERSION);
    let Some((_, content_type, bytes)) = found else {
        return problem(ErrorCode::NotFound, "no such file of GraphiQL");
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
