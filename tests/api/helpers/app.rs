//! The app under test: the real router, driven in-process, on a fresh database of its own
//! (the backend is chosen by `GDH_TEST_POSTGRES_URL`, see `base`).
//!
//! ```text
//! TestApp::seeded().await                                  // migrated and seeded, defaults
//! TestApp::builder().settings(s).keys(k).pool(p).seeded().await
//! TestApp::builder().empty().await                         // migrated, no data
//! app.replica().build().await                              // a second server, same database
//! app.replica().keys(k).build().await                      // … holding its own key ring
//! ```

use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use gender_data_hub::auth::Keys;
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::store::{PoolSettings, SeedCounts, Store};
use gender_data_hub::{app, AppState};

use super::base::{self, TestDb};

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    /// What seeding wrote, for an app built `seeded`.
    pub seed_counts: Option<SeedCounts>,
    pub database_url: String,
    _db: TestDb,
}

/// How to build a `TestApp`: API settings, key ring and connections, each the default unless
/// set.
#[derive(Default)]
pub struct TestAppBuilder {
    settings: ApiSettings,
    keys: Option<Keys>,
    pool: Option<PoolSettings>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// A migrated and seeded app with the default settings, the tests' secret, 5 connections.
    pub async fn seeded() -> TestApp {
        TestApp::builder().seeded().await
    }

    /// A second replica of the app on the same database: with PostgreSQL its own store
    /// (connections, change listener); SQLite is embedded in one process, so the same store.
    /// It holds the same key ring unless given its own, and the default settings.
    pub fn replica(&self) -> ReplicaBuilder<'_> {
        ReplicaBuilder { app: self, keys: None }
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

impl TestAppBuilder {
    pub fn settings(mut self, settings: ApiSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The key ring tokens are checked (and, if it can sign, issued) with; the tests' secret
    /// unless set.
    pub fn keys(mut self, keys: Keys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The app's own connections (a short statement timeout, say). Migrating and seeding use
    /// the default connections: these are for the app alone.
    pub fn pool(mut self, pool: PoolSettings) -> Self {
        self.pool = Some(pool);
        self
    }

    /// A migrated app with no data.
    pub async fn empty(self) -> TestApp {
        self.build(false).await
    }

    /// A migrated app with the seeds applied.
    pub async fn seeded(self) -> TestApp {
        self.build(true).await
    }

    /// An old database upgrading in place: made by the migrations up to `version`,
    /// holding what `rows` wrote then, and opened by today's hub (migrated and seeded).
    pub async fn upgraded_from(self, version: i64, rows: &[&str]) -> TestApp {
        use sqlx::Connection;
        let db = TestDb::fresh().await;
        let dir = if db.url.starts_with("postgres") { "migrations/postgres" } else { "migrations/sqlite" };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut old = sqlx::migrate::Migrator::new(dir).await.expect("the migrations");
        old.migrations = old.migrations.iter().filter(|m| m.version <= version).cloned().collect::<Vec<_>>().into();
        if db.url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            old.run(&mut conn).await.expect("the old migrations");
            for sql in rows {
                sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url).expect("url").create_if_missing(true);
            let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("connect");
            old.run(&mut conn).await.expect("the old migrations");
            for sql in rows {
                sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
        self.build_on(db, true).await
    }

    async fn build(self, seeded: bool) -> TestApp {
        self.build_on(TestDb::fresh().await, seeded).await
    }

    async fn build_on(self, db: TestDb, seeded: bool) -> TestApp {
        let setup = base::connect(&db.url, &base::test_pool()).await;
        setup.migrate().await.expect("migrate");
        let seed_counts = if seeded { Some(base::seed(setup.as_ref()).await) } else { None };
        let store = match &self.pool {
            Some(pool) => base::connect(&db.url, pool).await,
            None => setup,
        };
        let keys = Arc::new(self.keys.unwrap_or_else(base::secret_keys));
        let router = app(AppState::new(store.clone(), keys.clone(), self.settings));
        TestApp { router, store, keys, seed_counts, database_url: db.url.clone(), _db: db }
    }
}

/// How to build a second replica of a `TestApp`.
pub struct ReplicaBuilder<'a> {
    app: &'a TestApp,
    keys: Option<Arc<Keys>>,
}

impl ReplicaBuilder<'_> {
    /// Its own key ring (another stage of a key rotation, say).
    pub fn keys(mut self, keys: Keys) -> Self {
        self.keys = Some(Arc::new(keys));
        self
    }

    pub async fn build(self) -> Router {
        let store = if self.app.is_postgres() {
            base::connect(&self.app.database_url, &base::test_pool()).await
        } else {
            self.app.store.clone()
        };
        let keys = self.keys.unwrap_or_else(|| self.app.keys.clone());
        app(AppState::new(store, keys, ApiSettings::default()))
    }
}
