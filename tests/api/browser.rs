//! Pages the binary serves, in a real browser (headless Chromium) with no network beyond
//! the loopback: every request to another host fails, as on an offline government network.
//! Chromium is `GDH_TEST_CHROMIUM`, else `chromium` on the PATH (`.ci/run` installs it); a
//! machine without it fails these tests rather than skipping them.

use std::process::Command;
use std::time::Duration;

use crate::helpers::process::{exit_within, free_port, start_server, terminate};
use crate::helpers::TestApp;

/// The page's DOM once its scripts ran, loaded by headless Chromium that can reach
/// nothing but this machine.
fn rendered(url: &str) -> String {
    let chromium = std::env::var("GDH_TEST_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let profile = tempfile::tempdir().expect("a profile directory");
    let output = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.path().display()),
            // Offline: any other host is unreachable and unresolvable.
            "--proxy-server=http://127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {chromium} (install Debian's chromium, or set GDH_TEST_CHROMIUM): {e}"));
    assert!(output.status.success(), "{chromium}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn graphiql_starts_in_a_browser_with_no_network() {
    let app = TestApp::seeded().await;
    let port = free_port();
    let mut server = start_server(&app.database_url, port, &[]).await;
    let url = format!("http://127.0.0.1:{port}/graphql");
    let dom = tokio::task::spawn_blocking(move || rendered(&url)).await.expect("chromium");
    terminate(&server);
    exit_within(&mut server, Duration::from_secs(20)).await.expect("the server stops");
    // GraphiQL drew its editor and run button: React and GraphiQL came from the binary.
    for part in ["graphiql-container", "graphiql-execute-button", "graphiql-editor"] {
        assert!(dom.contains(part), "{part} missing from the rendered page:\n{dom}");
    }
    assert!(!dom.contains("Loading GraphiQL…"), "GraphiQL did not start:\n{dom}");
}
