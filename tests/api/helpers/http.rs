//! Requests to the app: GraphQL operations and plain HTTP, sent to the router in-process;
//! a router served on a real socket; requests written byte for byte to a real port.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};

use super::app::TestApp;

impl TestApp {
    /// POSTs a GraphQL operation; returns the HTTP status and the JSON body.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> (StatusCode, Value) {
        graphql_on(&self.router, token, query, variables).await
    }

    /// Data of a GraphQL operation that must succeed.
    pub async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.graphql(Some(token), query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// The `extensions.code` of the first error of an operation that must fail.
    pub async fn error_code(&self, token: &str, query: &str, variables: Value) -> String {
        let (status, body) = self.graphql(Some(token), query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}")).to_owned()
    }

    /// A GET, and its body as text.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        self.text(Request::get(path).body(Body::empty()).expect("request")).await
    }

    /// A GET with a bearer token, and its body as text.
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, String) {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        self.text(request).await
    }

    /// A GET as `token`: the status, the content type and the body's bytes.
    pub async fn get_bytes(&self, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, kind, bytes.to_vec())
    }

    async fn text(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Sends a request as built; the status and the body as JSON (as a JSON string if it is
    /// not JSON).
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        send_to(&self.router, request).await
    }
}

/// `POST /graphql` with a bearer token, of `body` as `content_type`.
pub fn graphql_post(token: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(body.into())
        .expect("request")
}

/// POSTs a GraphQL operation to a router (another replica, say).
pub async fn graphql_on(router: &Router, token: Option<&str>, query: &str, variables: Value) -> (StatusCode, Value) {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    send_to(router, request.body(Body::from(body)).expect("request")).await
}

async fn send_to(router: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = tower::ServiceExt::oneshot(router.clone(), request).await.expect("response");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())))
}

/// Serves a router on a free local port, for clients that need a real socket.
pub async fn serve(router: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// Sends `request` as written (with `Connection: close`) to a local port and reads the whole
/// answer.
pub async fn raw_http(port: u16, request: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}
