//! A database outage: PostgreSQL reached through a TCP proxy the test stops and starts.
//! While it is down, `/readyz` is 503 and requests fail fast with UNAVAILABLE; when it is
//! back, the server recovers by itself. SQLite is a file in the process: it has no outage
//! of this kind, so this test runs on PostgreSQL only (`--include-ignored`, as `.ci/run`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::http::{app, AppState};
use gender_data_hub::store::{self, PoolSettings};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::helpers::http::graphql_on;
use crate::helpers::TestApp;

/// Forwards connections to PostgreSQL while `up`; going down drops every open connection.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    cut: Arc<Notify>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let (up, cut) = (Arc::new(AtomicBool::new(true)), Arc::new(Notify::new()));
        let (up_flag, cut_signal) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up_flag.load(Ordering::SeqCst) {
                    continue; // refused: dropped at once
                }
                let (upstream, cut) = (upstream.clone(), cut_signal.clone());
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.notified() => {}
                    }
                });
            }
        });
        Proxy { port, up, cut }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.notify_waiters();
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
#[ignore = "PostgreSQL only: GDH_TEST_POSTGRES_URL=… cargo test -- --include-ignored"]
async fn the_server_answers_unavailable_while_postgres_is_down_and_recovers_by_itself() {
    let Ok(server_url) = std::env::var("GDH_TEST_POSTGRES_URL") else {
        panic!("this test needs GDH_TEST_POSTGRES_URL (a PostgreSQL server)");
    };
    let seeded = TestApp::seeded().await;
    let host_port = server_url.trim_end_matches('/').rsplit('@').next().unwrap_or("127.0.0.1:5432").to_owned();
    let database = seeded.database_url.rsplit('/').next().expect("database name").to_owned();
    let proxy = Proxy::start(host_port).await;
    let through_proxy = format!("postgres://postgres@127.0.0.1:{}/{database}", proxy.port);
    let pool = PoolSettings { max_connections: 3, acquire_timeout: Duration::from_secs(1), ..PoolSettings::default() };
    let store = store::connect(&through_proxy, &pool).await.expect("connect through the proxy");
    let router = app(AppState::new(store, seeded.keys.clone(), ApiSettings::default()));
    let token = seeded.admin();
    let ask = || graphql_on(&router, Some(&token), "{ area(code: \"216\") { name } }", json!({}));
    let ready = || async {
        let request = axum::http::Request::get("/readyz").body(axum::body::Body::empty()).expect("request");
        tower::ServiceExt::oneshot(router.clone(), request).await.expect("response").status()
    };

    assert_eq!(ready().await, StatusCode::OK);
    assert_eq!(ask().await.1["data"]["area"]["name"], "Huyện Tân Yên");

    proxy.down();
    assert_eq!(ready().await, StatusCode::SERVICE_UNAVAILABLE);
    let (status, body) = tokio::time::timeout(Duration::from_secs(15), ask()).await.expect("fails fast, not hangs");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE", "{body}");
    let request = axum::http::Request::post("/graphql")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"query":"{ me { role } }"}"#))
        .expect("request");
    let response = tower::ServiceExt::oneshot(router.clone(), request).await.expect("response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..]),
        "clients told when to retry"
    );

    proxy.up();
    let mut recovered = false;
    for _ in 0..30 {
        if ready().await == StatusCode::OK && ask().await.0 == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recovered, "the server recovered without a restart");
    assert_eq!(ask().await.1["data"]["area"]["name"], "Huyện Tân Yên");
}
