//! `gender-data-hub backup`: a consistent copy of a live SQLite database, taken while pushes
//! run; PostgreSQL is pointed to pg_dump.

use std::process::Command;

use gender_data_hub::store::{self, PoolSettings};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::helpers::process::hub_command;
use crate::helpers::TestApp;

/// Sex-ratio values of 2020–2024 for `communes`, so each push is `5 × communes` new keys.
fn values(communes: &[String], value: f64) -> Value {
    let rows: Vec<Value> = communes
        .iter()
        .flat_map(|code| {
            (2020..=2024).map(move |year| {
                json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": code, "period": year.to_string(),
                        "sex": "TOTAL", "value": value })
            })
        })
        .collect();
    Value::Array(rows)
}

/// (values, revisions, pushes in the audit log) of a SQLite file, which opens as a store.
async fn counts_in(file: &std::path::Path) -> (i64, i64, i64) {
    let url = format!("sqlite://{}", file.display());
    drop(store::connect(&url, &PoolSettings::default()).await.expect("open the copy"));
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
    let mut counts = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM observations",
        "SELECT COUNT(*) FROM observation_revisions",
        "SELECT COUNT(*) FROM audit_log WHERE action = 'PUSH'",
    ] {
        counts.push(sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut conn).await.expect(sql));
    }
    (counts[0], counts[1], counts[2])
}

#[tokio::test]
async fn a_backup_taken_while_pushes_run_holds_every_committed_push_whole_and_nothing_uncommitted() {
    let app = TestApp::seeded().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("copy.db");
    if app.is_postgres() {
        let refused = app.store.backup(&file).await.expect_err("PostgreSQL is backed up by its own tools");
        assert!(refused.to_string().contains("pg_dump"), "{refused}");
        assert!(!file.exists());
        return;
    }
    let communes = app
        .texts("SELECT code FROM areas WHERE level = 'COMMUNE' AND valid_to IS NOT NULL ORDER BY code LIMIT 1000")
        .await;
    let admin = app.admin();
    let first = app.push(&admin, values(&communes[..40], 110.0)).await;
    assert_eq!(first["created"], 200, "{first}");

    // A write begun elsewhere and never committed.
    let mut pending = sqlx::SqliteConnection::connect(&app.database_url).await.expect("connect");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut pending).await.expect("begin");
    sqlx::query("UPDATE observations SET value = 999 WHERE id = (SELECT MIN(id) FROM observations)")
        .execute(&mut pending)
        .await
        .expect("an uncommitted change");

    app.store.backup(&file).await.expect("a backup while a write is pending");
    sqlx::query("ROLLBACK").execute(&mut pending).await.expect("rollback");
    drop(pending);
    assert_eq!(counts_in(&file).await, (200, 200, 1));
    let mut copy = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await.expect("connect");
    let changed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM observations WHERE value = 999")
        .fetch_one(&mut copy)
        .await
        .expect("count");
    assert_eq!(changed, 0, "the uncommitted change is not in the copy");

    // A push of 5,000 values running while a second copy is taken: the copy holds it whole
    // or not at all.
    let second = dir.path().join("second.db");
    let (pushed, backed_up) = tokio::join!(app.push(&admin, values(&communes, 111.0)), app.store.backup(&second));
    backed_up.expect("a backup during a push");
    assert_eq!(
        pushed["created"].as_i64().unwrap_or_default() + pushed["updated"].as_i64().unwrap_or_default(),
        5_000,
        "{pushed}"
    );
    let counts = counts_in(&second).await;
    assert!(counts == (200, 200, 1) || counts == (5_000, 5_200, 2), "half a push in the copy: {counts:?}");
    // After it, everything.
    let third = dir.path().join("third.db");
    app.store.backup(&third).await.expect("a backup");
    assert_eq!(counts_in(&third).await, (5_000, 5_200, 2));
    // A file that exists is never overwritten.
    assert!(app.store.backup(&third).await.is_err());
}

#[tokio::test]
async fn the_backup_command_copies_the_database_and_refuses_to_overwrite() {
    let app = TestApp::seeded().await;
    if app.is_postgres() {
        // the same refusal, from the command line
        let output = run(hub_command(&app.database_url).args(["backup", "/tmp/never-written.db"]));
        assert!(output.1.contains("pg_dump"), "{output:?}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hub-copy.db");
    let path = file.display().to_string();
    let (ok, stderr) = run(hub_command(&app.database_url).args(["backup", &path]));
    assert!(ok && stderr.contains("backed up the sqlite database"), "{stderr}");
    // the copy serves: it is a database of the hub with the whole map
    let copy = store::connect(&format!("sqlite://{path}"), &PoolSettings::default()).await.expect("open the copy");
    copy.migrate().await.expect("the copy is up to date");
    assert_eq!(copy.area_count().await.expect("count"), 14_150);
    let (ok, stderr) = run(hub_command(&app.database_url).args(["backup", &path]));
    assert!(!ok && stderr.contains("exists"), "{stderr}");
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("run the binary");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}
