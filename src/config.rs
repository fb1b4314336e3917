//! Settings: command-line flags with environment fallbacks, and defaults under which
//! `cargo run --release` serves the seeds from a SQLite file with no settings at all.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use crate::auth::TokenSettings;
use crate::domain::disclosure::DisclosureRule;
use crate::graphql::ApiSettings;
use crate::store::PoolSettings;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `sqlite://FILE` (created when missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://gender-data-hub.db", global = true)]
    pub database_url: String,

    /// Secret for signing tokens (HS256, at least 32 characters). Without it, a SQLite
    /// database keeps a generated one in a file beside it; PostgreSQL requires it.
    #[arg(long, env = "GDH_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// Folder of the seed files.
    #[arg(long, env = "GDH_SEEDS_DIR", default_value = "seeds", global = true)]
    pub seeds_dir: PathBuf,

    /// Longest a database statement may run (PostgreSQL) or wait on a lock (SQLite), e.g. 25s.
    #[arg(long, env = "GDH_STATEMENT_TIMEOUT", default_value = "25s", value_parser = humantime::parse_duration, global = true)]
    pub statement_timeout: std::time::Duration,

    /// Largest number of database connections.
    #[arg(long, env = "GDH_DB_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub db_max_connections: u32,

    /// Partners do not see a count of a sensitive indicator below this, nor the cells that
    /// would reveal it.
    #[arg(long, env = "GDH_DISCLOSURE_THRESHOLD", default_value_t = crate::domain::disclosure::DEFAULT_THRESHOLD, global = true)]
    pub disclosure_threshold: f64,

    /// Requests in flight past which more are refused with 503 and `Retry-After`.
    #[arg(long, env = "GDH_MAX_IN_FLIGHT", default_value_t = 256, global = true)]
    pub max_in_flight: usize,

    /// Requests per second each token may sustain; more get 429 with `Retry-After`.
    #[arg(long, env = "GDH_RATE_LIMIT", default_value_t = 50, global = true)]
    pub rate_limit: u32,

    /// Requests a token may send at once above its rate.
    #[arg(long, env = "GDH_RATE_BURST", default_value_t = 100, global = true)]
    pub rate_burst: u32,

    /// Log lines as `text` or `json`.
    #[arg(long, env = "GDH_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

const MIN_SECRET_LEN: usize = 32;

impl Config {
    pub fn pool(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.db_max_connections.max(1),
            statement_timeout: self.statement_timeout,
            ..PoolSettings::default()
        }
    }

    pub fn api_settings(&self) -> ApiSettings {
        ApiSettings { disclosure: DisclosureRule { threshold: self.disclosure_threshold }, ..ApiSettings::default() }
    }

    pub fn token_settings(&self) -> TokenSettings {
        TokenSettings::default()
    }

    /// The token-signing secret: `GDH_JWT_SECRET`, or for a SQLite file the secret kept
    /// beside it (generated on first use, readable by the owner only).
    pub fn jwt_secret(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(secret) = &self.jwt_secret {
            if secret.len() < MIN_SECRET_LEN {
                bail!("GDH_JWT_SECRET must be at least {MIN_SECRET_LEN} characters long");
            }
            return Ok(secret.as_bytes().to_vec());
        }
        match sqlite_file(&self.database_url) {
            Some(db) => read_or_create_secret(&db.with_extension("jwt-secret")),
            None => bail!("set GDH_JWT_SECRET (at least {MIN_SECRET_LEN} characters) to sign and verify tokens"),
        }
    }
}

/// The file a `sqlite:` URL points at; `None` for PostgreSQL and in-memory databases.
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn read_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(secret) if secret.trim().len() >= MIN_SECRET_LEN => return Ok(secret.trim().as_bytes().to_vec()),
        Ok(_) => bail!("{} holds a secret shorter than {MIN_SECRET_LEN} characters", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let secret: String = {
        use rand::Rng;
        let bytes: [u8; 32] = rand::rng().random();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a token-signing secret");
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create_secret(path),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite://gender-data-hub.db"), Some(PathBuf::from("gender-data-hub.db")));
        assert_eq!(sqlite_file("sqlite:/tmp/x.db?mode=rwc"), Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/x"), None);
    }

    #[test]
    fn a_generated_secret_is_kept_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("hub.jwt-secret");
        let first = read_or_create_secret(&path).expect("create");
        let second = read_or_create_secret(&path).expect("read");
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
    }
}
