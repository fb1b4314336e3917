//! The seeded app for the test binaries that run on their own (`tests/batching`,
//! `tests/telemetry`), built as the suite's `TestApp::builder().seeded()` builds it, with
//! only what those binaries ask of it. Mounted by them with `#[path]`, after `base`.

use std::sync::Arc;

use axum::Router;
use gender_data_hub::auth::{Keys, Role};
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::{app, AppState};

use super::base;

pub struct TestApp {
    pub router: Router,
    keys: Arc<Keys>,
    _db: base::TestDb,
}

impl TestApp {
    pub async fn seeded() -> TestApp {
        let db = base::TestDb::fresh().await;
        let store = base::connect(&db.url, &base::test_pool()).await;
        store.migrate().await.expect("migrate");
        base::seed(store.as_ref()).await;
        let keys = Arc::new(base::secret_keys());
        let router = app(AppState::new(store, keys.clone(), ApiSettings::default()));
        TestApp { router, keys, _db: db }
    }

    pub fn token(&self, role: Role, agency: Option<&str>, area: Option<&str>) -> String {
        base::token(&self.keys, role, agency, area)
    }
}
