//! What every test binary builds on: a fresh database per test (a temporary SQLite file, or,
//! when `GDH_TEST_POSTGRES_URL` names a PostgreSQL server, a database with a random name that
//! is dropped afterwards), its store migrated and seeded, and tokens signed with the tests'
//! secret.
//!
//! The suite (`tests/api`) and the two binaries that need the process's tracing to themselves
//! (`tests/batching`, `tests/telemetry`) share this file by `#[path]`; each of them uses all of
//! it, so keep here only what they all need.

use std::path::Path;
use std::sync::Arc;

use gender_data_hub::auth::{IssueRequest, Keys, Role, TokenSettings};
use gender_data_hub::seeds::SeedSet;
use gender_data_hub::store::{self, PoolSettings, SeedCounts, Store};

/// The HS256 secret the tests sign with, and the real binary is started with.
pub const SECRET: &[u8] = b"a test secret that is long enough for HS256";

/// The key ring of a test app unless it is given another: the tests' secret.
pub fn secret_keys() -> Keys {
    Keys::from_secret(SECRET, TokenSettings::default())
}

/// A token of `keys` for `role` (subject `test-<role>`), valid for an hour.
pub fn token(keys: &Keys, role: Role, agency: Option<&str>, area: Option<&str>) -> String {
    keys.issue(IssueRequest {
        role,
        subject: Some(format!("test-{role}")),
        agency_code: agency.map(str::to_owned),
        area_code: area.map(str::to_owned),
        // as `issueToken` and `token issue` write it: the code read today
        area_on: area.map(|_| chrono::Utc::now().date_naive()),
        ttl: chrono::Duration::hours(1),
    })
    .expect("issue token")
    .token
}

/// The connections a test app holds unless told otherwise.
pub fn test_pool() -> PoolSettings {
    PoolSettings { max_connections: 5, ..PoolSettings::default() }
}

/// A store on `url` with these connections.
pub async fn connect(url: &str, pool: &PoolSettings) -> Arc<dyn Store> {
    store::connect(url, pool).await.expect("connect")
}

pub fn seeds_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
}

/// Applies the seeds (the five plan documents and what they name).
pub async fn seed(store: &dyn Store) -> SeedCounts {
    let seeds = SeedSet::load(seeds_dir()).expect("the seeds load");
    store.apply_seeds(&seeds).await.expect("the seeds apply")
}

/// A fresh, empty database; a PostgreSQL one is dropped with this.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The directory of the SQLite file, removed when dropped.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres {
        server_url: String,
        name: String,
    },
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        match std::env::var("GDH_TEST_POSTGRES_URL") {
            Ok(server_url) => {
                use sqlx::Connection;
                let server_url = server_url.trim_end_matches('/').to_owned();
                let name = format!("gdh_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&format!("{server_url}/postgres"))
                    .await
                    .expect("connect to the PostgreSQL server of GDH_TEST_POSTGRES_URL");
                sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.expect("create database");
                TestDb { url: format!("{server_url}/{name}"), cleanup: Cleanup::Postgres { server_url, name } }
            }
            Err(_) => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("hub.db").display());
                TestDb { url, cleanup: Cleanup::Sqlite { _dir: dir } }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { server_url, name } = &self.cleanup {
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
