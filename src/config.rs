//! Settings: command-line flags with environment fallbacks, and defaults under which
//! `cargo run --release` serves the seeds from a SQLite file with no settings at all.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use crate::auth::{Keys, TokenSettings};
use crate::domain::disclosure::DisclosureRule;
use crate::graphql::ApiSettings;
use crate::store::PoolSettings;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `sqlite://FILE` (created when missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://gender-data-hub.db", global = true)]
    pub database_url: String,

    /// Secret for signing tokens (HS256, at least 32 characters; kid `hs256-1`). Without
    /// it, a SQLite database keeps a generated one in a file beside it; PostgreSQL requires
    /// it unless the keys below are given. With GDH_JWT_SIGNING_KEY it no longer signs, but
    /// tokens it signed are still accepted until it is unset.
    #[arg(long, env = "GDH_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// File of an Ed25519 private key (PEM, from `openssl genpkey -algorithm ed25519`) that
    /// signs tokens instead of GDH_JWT_SECRET; the tokens it signs are accepted too. Needs
    /// GDH_JWT_SIGNING_KID.
    #[arg(long, env = "GDH_JWT_SIGNING_KEY", global = true)]
    pub jwt_signing_key: Option<PathBuf>,

    /// Key id (`kid`) written in the tokens GDH_JWT_SIGNING_KEY signs. A new key needs a new
    /// kid (`ed-2025-06`, say): the kid is how a token names the key it was signed with.
    #[arg(long, env = "GDH_JWT_SIGNING_KID", global = true)]
    pub jwt_signing_kid: Option<String>,

    /// Public keys whose tokens are also accepted, as comma-separated `kid=FILE` entries
    /// (Ed25519 public keys in PEM, from `openssl pkey -pubout`): the previous signing key
    /// during a rotation, or every signing key on a replica that holds no private key. With
    /// neither GDH_JWT_SIGNING_KEY nor GDH_JWT_SECRET, the server verifies tokens only.
    #[arg(long, env = "GDH_JWT_VERIFY_KEYS", global = true)]
    pub jwt_verify_keys: Option<String>,

    /// Address `serve` listens on.
    #[arg(long, env = "GDH_BIND", default_value_t = SocketAddr::from(([127, 0, 0, 1], 8080)), global = true)]
    pub bind: SocketAddr,

    /// A folder of seed files to load instead of those built into the binary (a copy of
    /// `seeds/` as it was at build time).
    #[arg(long, env = "GDH_SEEDS_DIR", global = true)]
    pub seeds_dir: Option<PathBuf>,

    /// Longest a database statement may run (PostgreSQL) or wait on a lock (SQLite), e.g. 25s.
    #[arg(long, env = "GDH_STATEMENT_TIMEOUT", default_value_t = PoolSettings::default().statement_timeout.into(), global = true)]
    pub statement_timeout: humantime::Duration,

    /// Longest a request may take before it is answered 504 (and its work dropped), e.g. 30s.
    #[arg(long, env = "GDH_REQUEST_TIMEOUT", default_value_t = ApiSettings::default().request_timeout.into(), global = true)]
    pub request_timeout: humantime::Duration,

    /// Largest number of database connections.
    #[arg(long, env = "GDH_DB_MAX_CONNECTIONS", default_value_t = PoolSettings::default().max_connections, global = true)]
    pub db_max_connections: u32,

    /// Partners do not see a count of a sensitive indicator below this, nor the cells that
    /// would reveal it.
    #[arg(long, env = "GDH_DISCLOSURE_THRESHOLD", default_value_t = crate::domain::disclosure::DEFAULT_THRESHOLD, global = true)]
    pub disclosure_threshold: f64,

    /// Requests in flight past which more are refused with 503 and `Retry-After`.
    #[arg(long, env = "GDH_MAX_IN_FLIGHT", default_value_t = ApiSettings::default().max_in_flight, global = true)]
    pub max_in_flight: usize,

    /// Requests per second each token may sustain; more get 429 with `Retry-After`.
    #[arg(long, env = "GDH_RATE_LIMIT", default_value_t = ApiSettings::default().token_rate_per_second, global = true)]
    pub rate_limit: u32,

    /// Requests a token may send at once above its rate.
    #[arg(long, env = "GDH_RATE_BURST", default_value_t = ApiSettings::default().token_burst, global = true)]
    pub rate_burst: u32,

    /// Largest number of operations in one batched POST /graphql (a JSON array).
    #[arg(long, env = "GDH_MAX_BATCH", default_value_t = ApiSettings::default().max_batch, global = true)]
    pub max_batch: usize,

    /// Largest CSV feed body, in MiB (`POST /api/v1/feeds/observations`); larger gets 413.
    #[arg(long, env = "GDH_MAX_FEED_MIB", default_value_t = ApiSettings::default().max_feed_bytes / MIB, global = true)]
    pub max_feed_mib: usize,

    /// Whether the schema may be introspected (`false` to close it; partners never may).
    #[arg(long, env = "GDH_INTROSPECTION", default_value_t = ApiSettings::default().introspection, action = clap::ArgAction::Set, global = true)]
    pub introspection: bool,

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
const MIB: usize = 1024 * 1024;

impl Config {
    pub fn pool(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.db_max_connections.max(1),
            statement_timeout: self.statement_timeout.into(),
            ..PoolSettings::default()
        }
    }

    pub fn api_settings(&self) -> ApiSettings {
        ApiSettings {
            disclosure: DisclosureRule { threshold: self.disclosure_threshold },
            max_in_flight: self.max_in_flight.max(1),
            // Zero would answer every request 504.
            request_timeout: std::time::Duration::from(self.request_timeout).max(std::time::Duration::from_secs(1)),
            token_rate_per_second: self.rate_limit.max(1),
            token_burst: self.rate_burst.max(1),
            max_batch: self.max_batch.max(1),
            max_feed_bytes: self.max_feed_mib.max(1).saturating_mul(MIB),
            introspection: self.introspection,
            ..ApiSettings::default()
        }
    }

    pub fn token_settings(&self) -> TokenSettings {
        TokenSettings::default()
    }

    /// The token-signing secret: `GDH_JWT_SECRET`, or for a SQLite file the secret kept
    /// beside it (generated on first use, readable by the owner only).
    pub fn jwt_secret(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(secret) = self.given_jwt_secret()? {
            return Ok(secret);
        }
        match sqlite_file(&self.database_url) {
            Some(db) => read_or_create_secret(&db.with_extension("jwt-secret")),
            None => bail!(
                "set GDH_JWT_SECRET (at least {MIN_SECRET_LEN} characters), or GDH_JWT_SIGNING_KEY, or GDH_JWT_VERIFY_KEYS, to sign and verify tokens"
            ),
        }
    }

    fn given_jwt_secret(&self) -> anyhow::Result<Option<Vec<u8>>> {
        match &self.jwt_secret {
            Some(secret) if secret.len() < MIN_SECRET_LEN => {
                bail!("GDH_JWT_SECRET must be at least {MIN_SECRET_LEN} characters long")
            }
            Some(secret) => Ok(Some(secret.as_bytes().to_vec())),
            None => Ok(None),
        }
    }

    /// The key ring tokens are signed and checked with: the Ed25519 signing key when one is
    /// given (with the HS256 secret, if also given, kept for verifying), else the HS256
    /// secret, plus the public keys of GDH_JWT_VERIFY_KEYS.
    pub fn keys(&self) -> anyhow::Result<Keys> {
        let settings = self.token_settings();
        let verify_keys = parse_verify_keys(self.jwt_verify_keys.as_deref().unwrap_or_default())?;
        let signing_path = self.jwt_signing_key.as_deref();
        // An empty GDH_JWT_SIGNING_KID counts as unset (clap already refuses an empty path).
        let signing_kid = self.jwt_signing_kid.as_deref().map(str::trim).filter(|k| !k.is_empty());
        let mut keys = match (signing_path, signing_kid) {
            (Some(path), Some(kid)) => {
                let pem = read_key_file("GDH_JWT_SIGNING_KEY", path)?;
                let mut keys = Keys::from_ed25519_pem(kid, &pem, settings.clone())
                    .with_context(|| format!("GDH_JWT_SIGNING_KEY ({})", path.display()))?;
                if let Some(secret) = self.given_jwt_secret()? {
                    keys = keys.with_hs256_secret(&settings.key_id, &secret).context("GDH_JWT_SECRET")?;
                }
                keys
            }
            (Some(_), None) => {
                bail!("GDH_JWT_SIGNING_KEY needs GDH_JWT_SIGNING_KID: the key id written in the tokens it signs")
            }
            (None, Some(_)) => bail!("GDH_JWT_SIGNING_KID is set, but GDH_JWT_SIGNING_KEY, the key it names, is not"),
            // A replica given only public keys must not fall back to a secret of its own: it
            // would sign tokens no other replica accepts.
            (None, None) if !verify_keys.is_empty() && self.jwt_secret.is_none() => Keys::verifying_only(settings),
            (None, None) => Keys::from_secret(&self.jwt_secret()?, settings),
        };
        for (kid, path) in verify_keys {
            let pem = read_key_file(&format!("GDH_JWT_VERIFY_KEYS entry `{kid}`"), &path)?;
            keys = keys
                .with_ed25519_public_pem(&kid, &pem)
                .with_context(|| format!("GDH_JWT_VERIFY_KEYS entry `{kid}` ({})", path.display()))?;
        }
        Ok(keys)
    }
}

/// `kid=FILE,kid=FILE`; blanks around entries and empty entries are ignored.
fn parse_verify_keys(list: &str) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut keys = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once('=').map(|(kid, path)| (kid.trim(), path.trim())) {
            Some((kid, path)) if !kid.is_empty() && !path.is_empty() => {
                keys.push((kid.to_owned(), PathBuf::from(path)))
            }
            _ => bail!("GDH_JWT_VERIFY_KEYS: `{entry}` is not a `kid=FILE` entry"),
        }
    }
    Ok(keys)
}

fn read_key_file(what: &str, path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {what} from {}", path.display()))
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

    /// The settings as the command line reads them.
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn limits_set_as_flags_reach_the_api_and_the_pool() {
        use clap::Parser;
        let flags = Flags::try_parse_from([
            "gender-data-hub",
            "--max-in-flight=3",
            "--rate-limit=7",
            "--rate-burst=9",
            "--disclosure-threshold=11",
            "--max-batch=4",
            "--max-feed-mib=2",
            "--introspection=false",
            "--request-timeout=12s",
            "--statement-timeout=8s",
            "--db-max-connections=3",
        ])
        .expect("flags");
        let settings = flags.config.api_settings();
        assert_eq!(
            (
                settings.max_in_flight,
                settings.token_rate_per_second,
                settings.token_burst,
                settings.disclosure.threshold,
                settings.max_batch,
                settings.max_feed_bytes,
                settings.introspection,
                settings.request_timeout,
            ),
            (3, 7, 9, 11.0, 4, 2 * 1024 * 1024, false, std::time::Duration::from_secs(12))
        );
        let pool = flags.config.pool();
        assert_eq!((pool.max_connections, pool.statement_timeout), (3, std::time::Duration::from_secs(8)));
    }

    /// The defaults the flags declare are the API's own (read from the declarations, so a
    /// `GDH_…` variable in the test's environment changes nothing here).
    #[test]
    fn the_flags_default_to_the_api_defaults() {
        use clap::CommandFactory;
        let command = Flags::command();
        let declared = |id: &str| -> String {
            let argument = command.get_arguments().find(|a| a.get_id() == id).unwrap_or_else(|| panic!("no {id}"));
            argument.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect()
        };
        let api = ApiSettings::default();
        assert_eq!(declared("max_batch"), api.max_batch.to_string());
        assert_eq!(declared("max_feed_mib").parse::<usize>().ok().map(|m| m * 1024 * 1024), Some(api.max_feed_bytes));
        assert_eq!(declared("introspection"), api.introspection.to_string());
        assert_eq!(declared("max_in_flight"), api.max_in_flight.to_string());
        assert_eq!(declared("rate_limit"), api.token_rate_per_second.to_string());
        assert_eq!(declared("rate_burst"), api.token_burst.to_string());
        assert_eq!(humantime::parse_duration(&declared("request_timeout")).ok(), Some(api.request_timeout));
        assert_eq!(declared("db_max_connections"), PoolSettings::default().max_connections.to_string());
        let statement_timeout = humantime::parse_duration(&declared("statement_timeout")).ok();
        assert_eq!(statement_timeout, Some(PoolSettings::default().statement_timeout));
    }

    fn fixture(name: &str) -> String {
        format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    /// The flags' defaults on `database_url`, with no key settings whatever the environment
    /// holds: each test gives the ones it tests.
    fn config(database_url: &str) -> Config {
        use clap::Parser;
        let flags = Flags::try_parse_from(["gender-data-hub", "--database-url", database_url]).expect("flags");
        Config { jwt_secret: None, jwt_signing_key: None, jwt_signing_kid: None, jwt_verify_keys: None, ..flags.config }
    }

    fn kids(keys: &Keys) -> Vec<&str> {
        keys.verifying_key_ids().collect()
    }

    /// The whole chain, as `main` prints it.
    fn error(result: anyhow::Result<Keys>) -> String {
        format!("{:#}", result.expect_err("an error"))
    }

    #[test]
    fn verify_keys_are_kid_equals_file_entries() {
        let keys = parse_verify_keys(" old = /keys/old.pem ,, older=/keys/older.pem, ").expect("parse");
        assert_eq!(
            keys,
            [
                ("old".to_owned(), PathBuf::from("/keys/old.pem")),
                ("older".to_owned(), PathBuf::from("/keys/older.pem"))
            ]
        );
        assert_eq!(parse_verify_keys("").expect("parse"), []);
        for bad in ["/keys/old.pem", "=/keys/old.pem", "old="] {
            let message = parse_verify_keys(bad).unwrap_err().to_string();
            assert!(message.contains("is not a `kid=FILE` entry"), "{bad}: {message}");
        }
    }

    #[test]
    fn a_signing_key_signs_and_the_secret_beside_it_only_verifies() {
        let mut config = config("postgres://localhost/x");
        config.jwt_signing_key = Some(fixture("ed25519-b.pem").into());
        config.jwt_signing_kid = Some("ed-b".into());
        config.jwt_verify_keys = Some(format!("ed-a={}", fixture("ed25519-a.pub.pem")));
        let keys = config.keys().expect("keys");
        assert_eq!((keys.signing_key_id(), kids(&keys)), (Some("ed-b"), vec!["ed-a", "ed-b"]));

        config.jwt_secret = Some("s".repeat(MIN_SECRET_LEN));
        let keys = config.keys().expect("keys");
        assert_eq!((keys.signing_key_id(), kids(&keys)), (Some("ed-b"), vec!["ed-a", "ed-b", "hs256-1"]));
    }

    #[test]
    fn public_keys_alone_make_a_replica_that_only_verifies() {
        // Not even a generated secret beside a SQLite file: it would sign tokens no other
        // replica accepts.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = config(&format!("sqlite://{}", dir.path().join("hub.db").display()));
        config.jwt_verify_keys = Some(format!("ed-a={}", fixture("ed25519-a.pub.pem")));
        let keys = config.keys().expect("keys");
        assert_eq!((keys.signing_key_id(), kids(&keys)), (None, vec!["ed-a"]));
        assert!(!dir.path().join("hub.jwt-secret").exists());
    }

    #[test]
    fn a_signing_key_and_its_kid_come_together() {
        let mut config = config("postgres://localhost/x");
        config.jwt_signing_key = Some(fixture("ed25519-a.pem").into());
        assert!(error(config.keys()).contains("GDH_JWT_SIGNING_KEY needs GDH_JWT_SIGNING_KID"));
        config.jwt_signing_key = None;
        config.jwt_signing_kid = Some("ed-a".into());
        assert!(error(config.keys()).contains("GDH_JWT_SIGNING_KID is set, but GDH_JWT_SIGNING_KEY"));
    }

    #[test]
    fn bad_key_settings_are_explained() {
        let mut config = config("postgres://localhost/x");
        config.jwt_signing_key = Some(fixture("missing.pem").into());
        config.jwt_signing_kid = Some("ed-a".into());
        let message = error(config.keys());
        assert!(
            message.starts_with("cannot read GDH_JWT_SIGNING_KEY from ") && message.contains("missing.pem"),
            "{message}"
        );

        config.jwt_signing_key = Some(fixture("ed25519-a.pub.pem").into());
        let message = error(config.keys());
        assert!(message.contains("key `ed-a` is not an Ed25519 private key in PEM"), "{message}");

        config.jwt_signing_key = Some(fixture("ed25519-a.pem").into());
        config.jwt_verify_keys = Some(format!("ed-a={}", fixture("ed25519-a.pub.pem")));
        let message = error(config.keys());
        assert!(message.contains("two keys are named `ed-a`"), "{message}");

        config.jwt_verify_keys = Some(format!("old={}", fixture("ed25519-b.pem")));
        let message = error(config.keys());
        assert!(message.contains("GDH_JWT_VERIFY_KEYS entry `old`"), "{message}");
        assert!(message.contains("key `old` is not an Ed25519 public key in PEM"), "{message}");

        config.jwt_verify_keys = None;
        config.jwt_secret = Some("too short".into());
        assert!(error(config.keys()).contains("GDH_JWT_SECRET must be at least"));
    }
}
