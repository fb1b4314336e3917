//! A server killed (SIGKILL) in the middle of a 100,000-row push leaves all of it or none
//! of it, and starts again on the same database.

mod common;

use std::time::Duration;

use common::{free_port, start_server, TestApp};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

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
