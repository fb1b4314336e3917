//! Drives the real router in-process, against a fresh database per test: a temporary SQLite
//! file, or, when `GDH_TEST_POSTGRES_URL` names a PostgreSQL server, a database with a
//! random name that is dropped afterwards.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gender_data_hub::auth::{IssueRequest, Keys, Role, TokenSettings};
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::seeds::SeedSet;
use gender_data_hub::store::{self, PoolSettings, SeedCounts, Store};
use gender_data_hub::{app, AppState};
use http_body_util::BodyExt;
use serde_json::{json, Value};

pub const SECRET: &[u8] = b"a test secret that is long enough for HS256";

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub seed_counts: Option<SeedCounts>,
    pub database_url: String,
    db: TestDb,
}

enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { server_url, name } = self {
            let (server_url, db_name) = (server_url.clone(), name.clone());
            // Drop runs outside any async context the test may still be in: use a thread
            // with its own runtime.
            let done = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(async move {
                    use sqlx::Connection;
                    let mut conn = sqlx::PgConnection::connect(&format!("{server_url}/postgres")).await?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"))
                        .execute(&mut conn)
                        .await?;
                    Ok::<_, sqlx::Error>(())
                })
            })
            .join();
            if !matches!(done, Ok(Ok(()))) {
                eprintln!("could not drop test database {name}");
            }
        }
    }
}

pub fn seeds_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
}

/// A database URL for a fresh, empty database, and what must be cleaned up after.
async fn fresh_database() -> (String, TestDb) {
    match std::env::var("GDH_TEST_POSTGRES_URL") {
        Ok(server_url) => {
            use sqlx::Connection;
            let server_url = server_url.trim_end_matches('/').to_owned();
            let name = format!("gdh_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&format!("{server_url}/postgres"))
                .await
                .expect("connect to the PostgreSQL server of GDH_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.expect("create database");
            (format!("{server_url}/{name}"), TestDb::Postgres { server_url, name })
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("hub.db").display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

impl TestApp {
    /// A migrated and seeded app.
    pub async fn seeded() -> TestApp {
        let mut app = TestApp::migrated().await;
        let seeds = SeedSet::load(seeds_dir()).expect("the seeds load");
        app.seed_counts = Some(app.store.apply_seeds(&seeds).await.expect("the seeds apply"));
        app
    }

    /// A seeded app with its own API settings.
    pub async fn seeded_with(settings: ApiSettings) -> TestApp {
        let mut app = TestApp::migrated_with(settings).await;
        let seeds = SeedSet::load(seeds_dir()).expect("the seeds load");
        app.seed_counts = Some(app.store.apply_seeds(&seeds).await.expect("the seeds apply"));
        app
    }

    /// A seeded app whose tokens are checked (and, if it can sign, issued) with this key ring.
    pub async fn seeded_with_keys(keys: Keys) -> TestApp {
        let mut app = TestApp::migrated_with_keys(ApiSettings::default(), keys).await;
        let seeds = SeedSet::load(seeds_dir()).expect("the seeds load");
        app.seed_counts = Some(app.store.apply_seeds(&seeds).await.expect("the seeds apply"));
        app
    }

    /// A migrated app with no data.
    pub async fn migrated() -> TestApp {
        TestApp::migrated_with(ApiSettings::default()).await
    }

    /// A seeded app with its own API and connection settings. Migrating and seeding use the
    /// default connections: a short statement timeout under test is for the app alone.
    pub async fn seeded_with_pool(settings: ApiSettings, pool: PoolSettings) -> TestApp {
        let mut test_app = TestApp::seeded_with(settings.clone()).await;
        let store = store::connect(&test_app.database_url, &pool).await.expect("connect");
        test_app.router = app(AppState::new(store.clone(), test_app.keys.clone(), settings));
        test_app.store = store;
        test_app
    }

    async fn migrated_with(settings: ApiSettings) -> TestApp {
        TestApp::migrated_with_keys(settings, Keys::from_secret(SECRET, TokenSettings::default())).await
    }

    async fn migrated_with_keys(settings: ApiSettings, keys: Keys) -> TestApp {
        let (url, db) = fresh_database().await;
        let pool = PoolSettings { max_connections: 5, ..PoolSettings::default() };
        let store = store::connect(&url, &pool).await.expect("connect");
        store.migrate().await.expect("migrate");
        let keys = Arc::new(keys);
        let router = app(AppState::new(store.clone(), keys.clone(), settings));
        TestApp { router, store, keys, seed_counts: None, database_url: url, db }
    }

    /// A second replica of the app on the same database: with PostgreSQL its own store
    /// (connections, change listener); SQLite is embedded in one process, so the same store.
    pub async fn replica(&self) -> Router {
        self.replica_with_keys(self.keys.clone()).await
    }

    /// A second replica that holds its own key ring (another stage of a key rotation, say).
    pub async fn replica_with_keys(&self, keys: Arc<Keys>) -> Router {
        let store = if self.database_url.starts_with("postgres") {
            store::connect(&self.database_url, &PoolSettings { max_connections: 5, ..PoolSettings::default() })
                .await
                .expect("connect")
        } else {
            self.store.clone()
        };
        let settings = ApiSettings::default();
        app(AppState::new(store, keys, settings))
    }

    /// Drops a table behind the app's back, to provoke a storage failure.
    pub async fn break_table(&self, table: &str) {
        self.execute(&[&format!("DROP TABLE {table}")]).await;
    }

    /// Holds a write lock on the observations from another connection until dropped, as a
    /// long transaction elsewhere would.
    pub async fn lock_observations(&self) -> HeldLock {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query("BEGIN").execute(&mut conn).await.expect("begin");
            sqlx::query("LOCK TABLE observations IN ACCESS EXCLUSIVE MODE").execute(&mut conn).await.expect("lock");
            HeldLock::Postgres(conn)
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.expect("begin");
            HeldLock::Sqlite(conn)
        }
    }

    /// A number read directly from the database (`SELECT COUNT(*) …`).
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }

    /// Runs one statement directly; the database's error message when it fails.
    pub async fn try_execute(&self, sql: &str) -> Result<(), String> {
        use sqlx::Connection;
        let result = if self.database_url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query(sql).execute(&mut conn).await.map(|_| ())
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query(sql).execute(&mut conn).await.map(|_| ())
        };
        result.map_err(|e| e.to_string())
    }

    /// Runs SQL directly, to set up what the API cannot (areas made for a test).
    pub async fn execute(&self, statements: &[&str]) {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            for sql in statements {
                sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            for sql in statements {
                sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    pub fn token(&self, role: Role, agency: Option<&str>, area: Option<&str>) -> String {
        self.keys
            .issue(IssueRequest {
                role,
                subject: Some(format!("test-{role}")),
                agency_code: agency.map(str::to_owned),
                area_code: area.map(str::to_owned),
                ttl: chrono::Duration::hours(1),
            })
            .expect("issue token")
            .token
    }

    pub fn admin(&self) -> String {
        self.token(Role::Admin, None, None)
    }

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

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A GET with a bearer token, and its body as text.
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, String) {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, body)
    }
}

/// Serves a router on a free local port, for clients that need a real socket.
pub async fn serve(router: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// POSTs a GraphQL operation to a router (another replica, say).
pub async fn graphql_on(router: &Router, token: Option<&str>, query: &str, variables: Value) -> (StatusCode, Value) {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let response = tower::ServiceExt::oneshot(router.clone(), request.body(Body::from(body)).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())))
}

/// A lock another connection holds; released when dropped (the connection closes).
pub enum HeldLock {
    Postgres(#[allow(dead_code)] sqlx::PgConnection),
    Sqlite(#[allow(dead_code)] sqlx::SqliteConnection),
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The real binary on `database_url`, signing with the tests' secret, logging warnings only.
pub fn hub_command(database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gender-data-hub"));
    command
        .env("DATABASE_URL", database_url)
        .env("GDH_JWT_SECRET", String::from_utf8_lossy(SECRET).as_ref())
        .env("RUST_LOG", "warn");
    command
}

/// The real binary serving `database_url` on `port`, once `/healthz` answers; `env` adds to
/// or overrides its environment.
pub async fn start_server(database_url: &str, port: u16, env: &[(&str, &str)]) -> std::process::Child {
    use std::process::Stdio;
    let mut command = hub_command(database_url);
    command.args(["serve", "--bind", &format!("127.0.0.1:{port}")]).stdout(Stdio::null()).stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start the server");
    for _ in 0..100 {
        if raw_http(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .is_ok_and(|answer| answer.starts_with("HTTP/1.1 200"))
        {
            return child;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// Sends `request` as written (with `Connection: close`) and reads the whole answer.
pub async fn raw_http(port: u16, request: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}
