//! The whole router, built once per fuzz process: a SQLite database in a temporary
//! directory with the seeds and the synthetic demo values (`seed --demo`, so observation
//! resolvers have rows to work on), an HS256 key ring, and a token for each role. Each
//! input is one POST, driven in-process.
//!
//! The property: no panic (libfuzzer-sys turns a panic on any thread into a crash) and no
//! 5xx but 503 (load shedding, an unavailable database): a 500 is a bug.
//! `GDH_FUZZ_VERBOSE=1` prints every answer, to see what an input does.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gender_data_hub::auth::{IssueRequest, Keys, Role, TokenSettings};
use gender_data_hub::graphql::ApiSettings;
use gender_data_hub::seeds::SeedSet;
use gender_data_hub::store::{self, PoolSettings};
use gender_data_hub::{app, AppState};
use http_body_util::BodyExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    /// `Authorization` values, one per role: see [`ROLES`].
    bearers: Vec<String>,
}

/// The callers an input can act as: each role reaches other resolvers and other refusals.
pub const ROLES: [(Role, Option<&str>, Option<&str>); 5] = [
    (Role::Admin, None, None),
    (Role::StatisticsOffice, None, Some("216")),
    (Role::AgencyReporter, Some("216-NV"), Some("216")),
    (Role::Dashboard, None, Some("216")),
    (Role::Partner, None, Some("216")),
];

static HARNESS: OnceLock<Harness> = OnceLock::new();

/// One directory per fuzz process under the system temp dir; those of processes that have
/// ended are removed first, so repeated runs do not pile up databases.
fn database_dir() -> PathBuf {
    let root = std::env::temp_dir().join("gdh-fuzz");
    if let Ok(entries) = std::fs::read_dir(&root) {
        for entry in entries.flatten() {
            let pid = entry.file_name().to_string_lossy().into_owned();
            if !Path::new("/proc").join(&pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = root.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the fuzz database directory");
    dir
}

fn harness() -> &'static Harness {
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let (router, bearers) = runtime.block_on(async {
            let url = format!("sqlite://{}", database_dir().join("hub.db").display());
            let pool = PoolSettings { max_connections: 5, ..PoolSettings::default() };
            let store = store::connect(&url, &pool).await.expect("connect");
            store.migrate().await.expect("migrate");
            let seeds_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
            let seeds = SeedSet::load(&seeds_dir).expect("the seeds load");
            store.apply_seeds(&seeds).await.expect("the seeds apply");
            let keys = Arc::new(Keys::from_secret(
                b"a fuzzing secret that is long enough for HS256",
                TokenSettings::default(),
            ));
            gender_data_hub::service::demo::load(store.as_ref()).await.expect("the demo values load");
            let bearers = ROLES
                .iter()
                .map(|&(role, agency, area)| {
                    let issued = keys
                        .issue(IssueRequest {
                            role,
                            subject: Some(format!("fuzz-{role}")),
                            agency_code: agency.map(str::to_owned),
                            area_code: area.map(str::to_owned),
                            area_on: None,
                            ttl: chrono::Duration::days(1),
                        })
                        .expect("issue a token");
                    format!("Bearer {}", issued.token)
                })
                .collect::<Vec<_>>();
            // Every input comes with one of the same five tokens: a rate limit would answer most
            // of them 429 without reaching the schema.
            let settings =
                ApiSettings { token_rate_per_second: u32::MAX, token_burst: u32::MAX, ..ApiSettings::default() };
            (app(AppState::new(store, keys, settings)), bearers)
        });
        Harness { runtime, router, bearers }
    })
}

/// POSTs `body` to `path` as the caller `ROLES[role % ROLES.len()]` and checks the answer.
pub fn post(path: &str, content_type: &str, role: u8, body: Vec<u8>) {
    let harness = harness();
    let bearer = &harness.bearers[usize::from(role) % harness.bearers.len()];
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, bearer)
        .body(Body::from(body))
        .expect("request");
    let (status, text) = harness.runtime.block_on(async {
        let response = tower::ServiceExt::oneshot(harness.router.clone(), request).await.expect("infallible");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("response body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    });
    if std::env::var_os("GDH_FUZZ_VERBOSE").is_some() {
        eprintln!("{status} {text}");
    }
    assert!(
        !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
        "POST {path} answered {status}: {text}"
    );
}
