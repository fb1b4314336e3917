//! The real binary as operators run it: SIGTERM drains requests in flight, spans reach an
//! OpenTelemetry collector when `OTEL_EXPORTER_OTLP_ENDPOINT` names one, settings come from
//! the environment, and tokens are issued and revoked on the command line; a server killed
//! (SIGKILL) in the middle of a 100,000-row push leaves all of it or none of it, and starts
//! again on the same database.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use gender_data_hub::auth::Role;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::http::{raw_http, serve};
use crate::helpers::process::{exit_within, free_port, hub_command, start_server, terminate};
use crate::helpers::TestApp;

/// `POST /graphql` as written on the wire; `extra` adds header lines (each ending `\r\n`).
fn graphql_request(token: &str, extra: &str, body: &str) -> String {
    format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{extra}\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn push_request(token: &str) -> String {
    let body = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n\
                SEX_RATIO_AT_BIRTH,216,2024,T,,,112.5,,,\n";
    format!(
        "POST /api/v1/feeds/observations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish_refuses_new_ones_and_exits() {
    let app = TestApp::seeded().await;
    let port = free_port();
    let mut server = start_server(&app.database_url, port, &[]).await;
    // A long transaction elsewhere keeps the push waiting inside the server.
    let lock = app.lock_observations().await;
    let token = app.office();
    let push = tokio::spawn(async move { raw_http(port, &push_request(&token)).await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!push.is_finished(), "the push waits for the lock");

    terminate(&server);
    // The listener closes at once: new connections are refused…
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "new connections are refused once stopping");
    // …while the push in flight is still being served.
    assert!(server.try_wait().expect("wait").is_none(), "the server waits for the push");
    drop(lock);

    let answer = push.await.expect("task").expect("the push is answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"created\":1"), "{answer}");
    let status = exit_within(&mut server, Duration::from_secs(20)).await.expect("the server exits once drained");
    assert!(status.success(), "{status}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM observations WHERE area_id IN (SELECT id FROM areas WHERE code = '216')").await,
        1
    );
}

/// What a fake OTLP/HTTP collector received: each POST's path, content type and body.
type Received = Arc<Mutex<Vec<(String, String, Bytes)>>>;

async fn collector() -> (u16, Received) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let router = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
        let kept = kept.clone();
        async move {
            let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            kept.lock().expect("collector").push((uri.path().to_owned(), content_type, body));
            ""
        }
    });
    let addr = serve(router).await;
    (addr.port(), received)
}

#[tokio::test]
async fn spans_are_exported_by_otlp_when_an_endpoint_is_set() {
    let app = TestApp::seeded().await;
    let (collector_port, received) = collector().await;
    let endpoint = format!("http://127.0.0.1:{collector_port}");
    let port = free_port();
    let mut server = start_server(&app.database_url, port, &[("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)]).await;
    let token = app.token(Role::Dashboard, None, Some("216"));
    let body = r#"{"query":"query TanYenPlans { plans(areaCode: \"216\") { code } }"}"#;
    let request = graphql_request(&token, "x-request-id: otlp-me-1\r\n", body);
    let answer = raw_http(port, &request).await.expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Stopping sends what the batch exporter still holds.
    terminate(&server);
    let status = exit_within(&mut server, Duration::from_secs(20)).await.expect("exits");
    assert!(status.success(), "{status}");

    let received = received.lock().expect("collector").clone();
    let traces: Vec<_> = received.iter().filter(|(path, _, _)| path == "/v1/traces").collect();
    assert!(
        !traces.is_empty(),
        "nothing posted to /v1/traces: {:?}",
        received.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    assert!(traces.iter().all(|(_, content_type, _)| content_type == "application/x-protobuf"));
    let all: Vec<u8> = traces.iter().flat_map(|(_, _, body)| body.iter().copied()).collect();
    let holds = |needle: &str| all.windows(needle.len()).any(|w| w == needle.as_bytes());
    for needle in
        ["gender-data-hub", "otlp-me-1", "graphql TanYenPlans", "store.plans", "SELECT plans", "db.query.text"]
    {
        assert!(holds(needle), "the export lacks {needle:?}");
    }
}

#[tokio::test]
async fn limits_set_in_the_environment_take_effect() {
    let app = TestApp::seeded().await;
    let port = free_port();
    let env = [
        ("GDH_RATE_LIMIT", "1"),
        ("GDH_RATE_BURST", "2"),
        ("GDH_DB_MAX_CONNECTIONS", "3"),
        ("GDH_INTROSPECTION", "false"),
        ("GDH_MAX_BATCH", "1"),
    ];
    let mut server = start_server(&app.database_url, port, &env).await;
    let token = app.token(Role::Dashboard, None, Some("216"));
    let request = graphql_request(&token, "", r#"{"query":"{ me { role } }"}"#);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let answer = raw_http(port, &request).await.expect("answer");
        statuses.push(answer.get(9..12).unwrap_or_default().to_owned());
    }
    // Each with its own token, so the burst of 2 above does not refuse them.
    let schema = r#"{"query":"{ __schema { queryType { name } } }"}"#;
    let introspection =
        raw_http(port, &graphql_request(&app.token(Role::Dashboard, None, Some("216")), "", schema)).await;
    let pair = r#"[{"query":"{ me { role } }"},{"query":"{ me { role } }"}]"#;
    let batch = raw_http(port, &graphql_request(&app.token(Role::Dashboard, None, Some("216")), "", pair)).await;
    let metrics = raw_http(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    terminate(&server);
    let _ = exit_within(&mut server, Duration::from_secs(20)).await;
    // A burst of 2, then refused; one token a second comes back, so later ones may pass.
    assert_eq!(statuses[..2], ["200", "200"], "{statuses:?}");
    assert!(statuses.iter().any(|s| s == "429"), "the default burst (100) was served: {statuses:?}");
    let introspection = introspection.expect("answer");
    assert!(introspection.starts_with("HTTP/1.1 200"), "{introspection}");
    assert!(introspection.contains(r#""__schema":null"#), "introspection stayed on: {introspection}");
    let batch = batch.expect("answer");
    assert!(batch.starts_with("HTTP/1.1 400") && batch.contains("1 to 1 operations"), "{batch}");
    let metrics = metrics.expect("answer");
    assert!(metrics.contains(r#"gdh_db_pool_connections{state="max"} 3"#), "the pool is not 3: {metrics}");
}

/// `gender-data-hub` run once with `args` against the test's database; its stdout, or its
/// stderr as the error.
fn command_line(app: &TestApp, args: &[&str]) -> Result<String, String> {
    let output = hub_command(&app.database_url).args(args).output().expect("run the binary");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_owned();
    if output.status.success() {
        Ok(text(&output.stdout))
    } else {
        Err(text(&output.stderr))
    }
}

#[tokio::test]
async fn tokens_issued_and_revoked_on_the_command_line_take_effect_and_are_audited() {
    use base64::Engine;
    let app = TestApp::seeded().await;
    let token = command_line(&app, &["token", "issue", "--role", "dashboard", "--area", "216", "--ttl", "1d"])
        .expect("token issue");
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64"))
            .expect("claims");
    let jti = claims["jti"].as_str().expect("jti").to_owned();
    let me = "{ me { role area { code } } }";
    let answer = app.data(&token, me, serde_json::json!({})).await;
    assert_eq!(answer["me"], serde_json::json!({ "role": "DASHBOARD", "area": { "code": "216" } }));

    // Refusals are explained, and issue nothing.
    let too_long = command_line(&app, &["token", "issue", "--role", "admin", "--ttl", "60d"]);
    assert!(too_long.as_ref().is_err_and(|e| e.contains("at most 31 days")), "{too_long:?}");
    let nowhere = command_line(&app, &["token", "issue", "--role", "partner", "--area", "99999"]);
    assert!(nowhere.as_ref().is_err_and(|e| e.contains("99999")), "{nowhere:?}");
    assert_eq!(command_line(&app, &["token", "revoke", " "]), Err("error: give the token's jti".to_owned()));

    command_line(&app, &["token", "revoke", &jti]).expect("token revoke");
    let (status, body) = app.graphql(Some(&token), me, serde_json::json!({})).await;
    assert_eq!(status, axum::http::StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM revoked_tokens WHERE jti = '{jti}'")).await, 1);

    let audited =
        |action: &str| format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND target LIKE '%{jti}%'");
    assert_eq!(app.count(&audited("ISSUE_TOKEN")).await, 1, "the issue is audited");
    assert_eq!(app.count(&audited("REVOKE_TOKEN")).await, 1, "the revocation is audited");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'ISSUE_TOKEN'").await,
        1,
        "refusals issue nothing"
    );
}

// ---------------------------------------------------------------------------------------
// A server killed during a large push

const ROWS: usize = 100_000;

fn feed() -> String {
    let mut body = String::from("indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n");
    for i in 0..ROWS {
        body.push_str(&format!("ADOLESCENT_BIRTH_RATE,216,2024,T,A{},E{:05},{},,,\n", i % 10, i / 10, 20 + i % 7));
    }
    body
}

/// Whether a writer holds the database's write lock (SQLite) or the hub's write turn
/// (PostgreSQL's advisory lock): a push's transaction is under way.
async fn writer_active(database_url: &str) -> bool {
    use sqlx::{ConnectOptions, Connection};
    if database_url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(database_url).await.expect("connect");
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_one(&mut conn)
        .await
        .expect("pg_locks");
        held > 0
    } else {
        let options: sqlx::sqlite::SqliteConnectOptions = database_url.parse().expect("url");
        let mut conn = options.busy_timeout(Duration::ZERO).connect().await.expect("connect");
        let busy = sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.is_err();
        if !busy {
            let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
        }
        busy
    }
}

#[tokio::test]
async fn a_server_killed_during_a_large_push_keeps_all_of_it_or_none() {
    let app = TestApp::seeded().await;
    let token = app.admin();
    let body = feed();
    let port = free_port();
    let mut server = start_server(&app.database_url, port, &[]).await;

    let mut client = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let head = format!(
        "POST /api/v1/feeds/observations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    client.write_all(head.as_bytes()).await.expect("send the head");
    client.write_all(body.as_bytes()).await.expect("send the feed");
    // Kill it once its write transaction has begun, partway through the writing.
    let mut writing = false;
    for _ in 0..600 {
        if writer_active(&app.database_url).await {
            writing = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(writing, "the push's transaction began");
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.kill().expect("kill");
    server.wait().expect("reaped");

    let observations = app.count("SELECT COUNT(*) FROM observations").await;
    let revisions = app.count("SELECT COUNT(*) FROM observation_revisions").await;
    let pushes = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'PUSH'").await;
    println!("after the kill: {observations} observations, {revisions} revisions, {pushes} push entries");
    assert!(observations == 0 || observations == ROWS as i64, "a partial push: {observations} rows");
    assert_eq!(revisions, observations, "each row with its first revision");
    assert_eq!(pushes, i64::from(observations > 0), "audited exactly when written");

    // It starts again on the same database, which answers.
    let mut again = start_server(&app.database_url, free_port(), &[]).await;
    let _ = again.kill();
    let _ = again.wait();
}

/// `token issue`, `token revoke` and `import` need a database that exists: they refuse,
/// naming the file they looked for, and create nothing (neither the file nor its secret).
#[tokio::test]
async fn commands_that_need_a_database_refuse_where_there_is_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nowhere.db");
    let url = format!("sqlite://{}", missing.display());
    let feed = dir.path().join("feed.csv");
    std::fs::write(&feed, "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n")
        .expect("write the feed");
    let feed = feed.display().to_string();
    for args in [
        vec!["token", "issue", "--role", "dashboard", "--area", "216"],
        vec!["token", "revoke", "some-jti"],
        vec!["import", feed.as_str()],
    ] {
        let output = hub_command(&url).env_remove("GDH_JWT_SECRET").args(&args).output().expect("run the binary");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded: {stderr}");
        assert!(stderr.contains(&format!("no database at {}", missing.display())), "{args:?}: {stderr}");
    }
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).expect("read dir").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("feed.csv")], "nothing was created beside the feed");
}
