//! Reaching into the app's database behind its back: to set up what the API cannot (areas
//! made for a test), to read what it wrote, to hold a lock or break a table.

use sqlx::Connection;

use super::app::TestApp;

/// A lock another connection holds; released when dropped (the connection closes).
pub enum HeldLock {
    Postgres { _conn: sqlx::PgConnection },
    Sqlite { _conn: sqlx::SqliteConnection },
}

impl TestApp {
    /// Drops a table behind the app's back, to provoke a storage failure.
    pub async fn break_table(&self, table: &str) {
        self.execute(&[&format!("DROP TABLE {table}")]).await;
    }

    /// Holds a write lock on the observations from another connection until dropped, as a
    /// long transaction elsewhere would.
    pub async fn lock_observations(&self) -> HeldLock {
        if self.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query("BEGIN").execute(&mut conn).await.expect("begin");
            sqlx::query("LOCK TABLE observations IN ACCESS EXCLUSIVE MODE").execute(&mut conn).await.expect("lock");
            HeldLock::Postgres { _conn: conn }
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.expect("begin");
            HeldLock::Sqlite { _conn: conn }
        }
    }

    /// A number read directly from the database (`SELECT COUNT(*) …`).
    pub async fn count(&self, sql: &str) -> i64 {
        if self.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }

    /// Texts read directly from the database (`SELECT code FROM …`), one per row.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        if self.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.database_url).await.expect("connect");
            sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }

    /// The codes of the units under (and including) the units whose ids `roots` selects,
    /// read from the map's parent links alone: an oracle for what a token reaches.
    pub async fn subtree_codes(&self, roots: &str) -> Vec<String> {
        self.texts(&format!(
            "WITH RECURSIVE below (id) AS (SELECT id FROM areas WHERE id IN ({roots}) \
             UNION SELECT a.id FROM areas a JOIN below b ON a.parent_id = b.id) \
             SELECT a.code FROM areas a JOIN below b ON b.id = a.id"
        ))
        .await
    }

    /// Runs one statement directly; the database's error message when it fails.
    pub async fn try_execute(&self, sql: &str) -> Result<(), String> {
        let result = if self.is_postgres() {
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
        if self.is_postgres() {
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
}
