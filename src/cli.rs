//! The command line: `serve` (the default), `migrate`, `seed`, `import`, `token issue` and
//! `token revoke`, each a call of its use-case; this file parses, prints and serves.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::auth::Role;
use crate::config::Config;
use crate::http::{app, AppState};
use crate::service::tokens::{Lifetime, TokenRequest};
use crate::service::{self, Actor};
use crate::store::{self, Store};

#[derive(Debug, Parser)]
#[command(name = "gender-data-hub", version, about = "GraphQL API for monitoring Vietnam's gender-equality plans")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default) on `--bind`. Migrates the database, and seeds it when it
    /// holds no plans.
    Serve,
    /// Create or update the database tables.
    Migrate,
    /// Load the plans, areas, agencies and indicators of `seeds/` (idempotent).
    Seed {
        /// Also push synthetic values (2021–2024) for every measured target, marked as
        /// synthetic in their comment and reporter: for a demo, never for real use.
        #[arg(long)]
        demo: bool,
    },
    /// Push a CSV file (plain or SDMX-CSV) or an Excel workbook (.xlsx) straight into the database, as the statistics
    /// office of the whole country would; prints the summary.
    Import {
        file: std::path::PathBuf,
        /// Check and count, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the good rows even when some are bad (by default one bad row stops all).
        #[arg(long)]
        partial: bool,
        /// Agency the values come from.
        #[arg(long)]
        agency: Option<String>,
        /// Who pushes, as recorded in the values' history.
        #[arg(long, default_value = "cli-import")]
        subject: String,
    },
    /// Write a consistent copy of the live SQLite database to FILE (which must not exist),
    /// while the server goes on serving and taking pushes; PostgreSQL: use pg_dump.
    Backup { file: std::path::PathBuf },
    /// Bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new token on standard output.
    Issue {
        /// admin, statistics_office, agency_reporter, dashboard or partner.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Agency code (required for agency_reporter).
        #[arg(long)]
        agency: Option<String>,
        /// Area code: the unit the token may reach (required for every role but admin).
        #[arg(long)]
        area: Option<String>,
        /// The day the area code is read on, e.g. 2024-01-01 for a unit the 2025 reform
        /// replaced under the same code (default: today).
        #[arg(long)]
        area_on: Option<chrono::NaiveDate>,
        /// Who the token is for; written in logs and, later, in the history of values.
        #[arg(long)]
        subject: Option<String>,
        /// Lifetime, e.g. 30d, 12h, 90min (at most 31 days for admin, 366 for the others).
        #[arg(long, default_value = "30d", value_parser = humantime::parse_duration)]
        ttl: std::time::Duration,
    },
    /// Revoke a token by its id (`jti`, printed when it was issued): it fails from now on.
    Revoke {
        jti: String,
        /// Who revokes it, for the record.
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.to_ascii_lowercase().parse().map_err(|_| {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Held to the end of the command, so buffered spans are sent before the process exits.
    let _telemetry = crate::telemetry::init(cli.config.log_format)?;
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config, config.bind).await,
        Command::Migrate => {
            let store = open(&config).await?;
            eprintln!("migrated the {} database", store.backend());
            Ok(())
        }
        Command::Seed { demo } => {
            let store = open(&config).await?;
            seed(&config, store.as_ref()).await?;
            if demo {
                let demo = service::demo::load(store.as_ref()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                let summary = &demo.push;
                eprintln!(
                    "demo values (synthetic): {} created, {} updated, {} unchanged, {} rejected; {} skipped (their key already holds a value)",
                    summary.created, summary.updated, summary.unchanged, summary.rejected, demo.skipped
                );
                if let Some(e) = summary.errors.first() {
                    anyhow::bail!("the demo values were refused: row {}: {} {}", e.row, e.code, e.message);
                }
            }
            Ok(())
        }
        Command::Import { file, dry_run, partial, agency, subject } => {
            let store = open_existing(&config).await?;
            if let Some(code) = &agency {
                // Before the file is read: a wrong flag should not wait on a large file.
                service::push::agency_exists(store.as_ref(), code).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            let actor = Actor::CommandLine { subject: &subject, agency_code: agency.as_deref() };
            import(store.as_ref(), actor, &file, dry_run, !partial).await
        }
        Command::Backup { file } => {
            if file.exists() {
                anyhow::bail!("{} exists: back up to a new file", file.display());
            }
            let store = open_existing(&config).await?;
            store.backup(&file).await.with_context(|| format!("cannot back up to {}", file.display()))?;
            let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or_default();
            eprintln!("backed up the {} database to {} ({bytes} bytes)", store.backend(), file.display());
            Ok(())
        }
        Command::Token { command: TokenCommand::Issue { role, agency, area, area_on, subject, ttl } } => {
            let store = open_existing(&config).await?;
            let keys = config.keys()?;
            let ttl = chrono::Duration::from_std(ttl).context("the lifetime is too long")?;
            let lifetime = Lifetime::Exactly(ttl);
            let request = TokenRequest { role, subject, agency_code: agency, area_code: area, area_on, lifetime };
            let actor = Actor::CommandLine { subject: "cli", agency_code: None };
            let issued = service::tokens::issue(store.as_ref(), &keys, actor, request)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!("jti {} expires {}", issued.jti, issued.expires_at.to_rfc3339());
            println!("{}", issued.token);
            Ok(())
        }
        Command::Token { command: TokenCommand::Revoke { jti, by } } => {
            if jti.trim().is_empty() {
                anyhow::bail!("give the token's jti");
            }
            let store = open_existing(&config).await?;
            let actor = Actor::CommandLine { subject: &by, agency_code: None };
            let revoked =
                service::tokens::revoke(store.as_ref(), actor, &jti).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if revoked {
                eprintln!("token {} revoked", jti.trim());
            } else {
                eprintln!("token {} was already revoked", jti.trim());
            }
            Ok(())
        }
    }
}

/// Connects and migrates.
async fn open(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store = store::connect(&config.database_url, &config.pool())
        .await
        .with_context(|| format!("cannot open the database at {}", redact(&config.database_url)))?;
    store.migrate().await.context("cannot migrate the database")?;
    Ok(store)
}

/// Connects to a database that must be there already: a token or an import for a database
/// that does not exist would otherwise create an empty one, and its secret beside it, and
/// succeed against nothing (a SQLite file is created on connect).
async fn open_existing(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(file) = crate::config::sqlite_file(&config.database_url) {
        if !file.exists() {
            anyhow::bail!(
                "no database at {}: `gender-data-hub serve` or `migrate` creates it, or set DATABASE_URL to yours",
                file.display()
            );
        }
    }
    open(config).await
}

async fn seed(config: &Config, store: &dyn Store) -> anyhow::Result<()> {
    print_seeded(&service::seeding::seed(store, config.seeds_dir.as_deref()).await?);
    Ok(())
}

fn print_seeded(report: &service::seeding::SeedReport) {
    let counts = &report.counts;
    eprintln!(
        "seeded: {} areas, {} successions, {} agencies, {} indicators, {} plans, {} objectives, {} targets, {} assignments, {} deadlines ({} warnings)",
        counts.areas,
        counts.successions,
        counts.agencies,
        counts.indicators,
        counts.plans,
        counts.objectives,
        counts.targets,
        counts.assignments,
        counts.deadlines,
        report.warnings.len(),
    );
}

async fn import(
    store: &dyn Store,
    actor: Actor<'_>,
    file: &std::path::Path,
    dry_run: bool,
    atomic: bool,
) -> anyhow::Result<()> {
    use crate::domain::push::DEFAULT_MAX_ROWS;
    use crate::service::push::{push, PushRequest};
    let workbook = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let feed = if workbook {
        let bytes = std::fs::read(file).with_context(|| format!("cannot open {}", file.display()))?;
        crate::domain::feeds::parse_xlsx(&bytes, DEFAULT_MAX_ROWS)
    } else {
        let opened = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        let size = opened.metadata().map(|m| m.len()).unwrap_or_default();
        let bar = indicatif::ProgressBar::new(size).with_style(
            indicatif::ProgressStyle::with_template("reading {bytes}/{total_bytes} [{bar:30}] {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let feed = crate::domain::feeds::parse(bar.wrap_read(opened), DEFAULT_MAX_ROWS, Default::default());
        bar.finish_and_clear();
        feed
    }
    .with_context(|| format!("cannot read {}", file.display()))?;
    eprintln!("read {} rows; checking and writing…", feed.total_rows);
    let request = PushRequest {
        rows: feed.rows,
        row_numbers: feed.row_numbers,
        rejected_before: feed.errors,
        total_rows: feed.total_rows,
        dry_run,
        atomic,
        idempotency_key: None,
    };
    let summary = push(store, actor, request, DEFAULT_MAX_ROWS).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    const SHOWN: usize = 20;
    for e in summary.errors.iter().take(SHOWN) {
        eprintln!("  row {}: {} {}: {}", e.row, e.code, e.field.as_deref().unwrap_or("-"), e.message);
    }
    if summary.errors.len() > SHOWN {
        eprintln!("  … and {} more errors", summary.errors.len() - SHOWN);
    }
    eprintln!(
        "{}{} created, {} updated, {} unchanged, {} rejected",
        if dry_run { "dry run: " } else { "" },
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.rejected
    );
    if atomic && summary.rejected > 0 {
        anyhow::bail!("nothing was written: fix the rows above, or pass --partial to write the good ones");
    }
    Ok(())
}

async fn serve(config: &Config, bind: SocketAddr) -> anyhow::Result<()> {
    let store = open(config).await?;
    if let Some(report) = service::seeding::seed_if_needed(store.as_ref(), config.seeds_dir.as_deref()).await? {
        print_seeded(&report);
    }
    let settings = config.api_settings();
    // In the background: until decided, the figures are withheld from partners, and a
    // national database may take minutes to decide (measured in bench/RESULTS.md).
    let deciding = store.clone();
    let rule = settings.disclosure;
    tokio::spawn(async move {
        match service::disclosure::settle_pending(deciding.as_ref(), &rule).await {
            Ok((0, _)) => {}
            Ok((years, settled)) => {
                tracing::info!(years, values = settled.values, released = settled.released, "disclosure decided")
            }
            Err(error) => tracing::error!(%error, "cannot decide what partners are shown of sensitive indicators"),
        }
    });
    let keys = Arc::new(config.keys()?);
    let verifying: Vec<_> = keys.verifying_key_ids().collect();
    match keys.signing_key_id() {
        Some(kid) => tracing::info!(signing = kid, ?verifying, "token keys"),
        None => tracing::warn!(?verifying, "token keys: no signing key, so this server cannot issue tokens"),
    }
    let drain = crate::http::drain_deadline(&settings);
    let router = app(AppState::new(store, keys, settings));
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!("serving on http://{bind}/graphql");
    // On SIGTERM or Ctrl-C: stop accepting, let requests in flight finish, then exit. A
    // subscription or a stuck client is not waited for past the drain deadline.
    let (stopping, stopped) = tokio::sync::oneshot::channel();
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    });
    let deadline = async move {
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        served = std::future::IntoFuture::into_future(server) => served?,
        () = deadline => tracing::warn!(
            "requests still open {}s after the signal (subscriptions?): exiting",
            drain.as_secs()
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@db/x"), "postgres://u:***@db/x");
        assert_eq!(redact("sqlite://hub.db"), "sqlite://hub.db");
    }

    #[test]
    fn roles_parse_in_either_case() {
        assert_eq!(parse_role("STATISTICS_OFFICE"), Ok(Role::StatisticsOffice));
        assert!(parse_role("mayor").unwrap_err().contains("admin, statistics_office"));
    }
}
