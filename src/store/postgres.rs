use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use super::{PoolSettings, StoreError};

/// The production backend. Several stateless replicas may share one database.
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
    /// After a bulk load the planner's statistics still describe the table as it was (empty,
    /// at first) and it would look rows up by scanning; ANALYZE samples a bounded number of
    /// rows, so it stays cheap however large the table grows.
    const AFTER_BULK_INSERT: Option<&'static str> = Some("ANALYZE observations");

    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(PgStore { pool })
    }

    fn any(n: usize) -> String {
        format!("= ANY(${n})")
    }

    fn texts(codes: &[String]) -> Vec<String> {
        codes.to_vec()
    }

    fn ids(ids: &[i64]) -> Vec<i64> {
        ids.to_vec()
    }
}

impl_store!(PgStore, sqlx::Postgres, "postgres");
