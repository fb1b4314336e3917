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

/// The dashboard page, signed in by a link that carries the token in its fragment.
async fn dashboard_dom(port: u16, token: &str, choices: &str) -> String {
    let url = format!("http://127.0.0.1:{port}/dashboard#token={token}&{choices}");
    tokio::task::spawn_blocking(move || rendered(&url)).await.expect("chromium")
}

#[tokio::test]
async fn the_dashboard_shows_targets_gaps_reporting_and_a_map_with_no_network() {
    let app = TestApp::seeded().await;
    let office = app.office();
    let value = |indicator: &str, area: &str, period: &str, sex: &str, value: f64| serde_json::json!({ "indicatorCode": indicator, "areaCode": area, "period": period, "sex": sex, "value": value });
    let rows = serde_json::json!([
        value("SEX_RATIO_AT_BIRTH", "216", "2024", "TOTAL", 112.0),
        value("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "FEMALE", 95.0),
        value("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "MALE", 90.0),
        value("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "FEMALE", 97.0),
        value("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "MALE", 93.0),
        // Two of the new Bắc Ninh's communes, for the map of the plan's first indicator.
        value("WOMEN_KEY_LEADER_AGENCIES_PCT", "07246", "2025", "TOTAL", 40.0),
        value("WOMEN_KEY_LEADER_AGENCIES_PCT", "07264", "2025", "TOTAL", 60.0),
    ]);
    let summary = app.push(&office, rows).await;
    assert_eq!(summary["rejected"], 0, "{summary}");
    let port = free_port();
    let mut server = start_server(&app.database_url, port, &[]).await;
    let admin = app.admin();

    let dom = dashboard_dom(port, &admin, "area=24&plan=tan-yen-bdg-2021-2025&year=2024").await;
    let english = dashboard_dom(port, &admin, "area=24&plan=tan-yen-bdg-2021-2025&year=2024&lang=en").await;
    let signed_out = tokio::task::spawn_blocking(move || rendered(&format!("http://127.0.0.1:{port}/dashboard")))
        .await
        .expect("chromium");
    terminate(&server);
    exit_within(&mut server, Duration::from_secs(20)).await.expect("the server stops");

    // Vietnamese first: the area, the plan, each objective's targets and how they stand.
    assert!(dom.contains("id=\"area-name\">Tỉnh Bắc Ninh<"), "{dom}");
    assert!(dom.contains("trên địa bàn huyện Tân Yên</strong>"), "the plan: {dom}");
    assert!(dom.contains("Mục tiêu và chỉ tiêu"), "{dom}");
    let srb = dom.split("data-target=\"M4.CT1\"").nth(1).and_then(|r| r.split("</tr>").next()).expect("M4.CT1's row");
    assert!(srb.contains("112 (2024)") && srb.contains("class=\"status MET\">Đạt<"), "{srb}");
    assert!(srb.contains("<svg class=\"progress\""), "a bar against the target: {srb}");
    // The gender gap of the primary completion rate, girls and boys by year.
    let gap = dom.split("data-indicator=\"EM_PRIMARY_COMPLETION_PCT\"").nth(1).expect("the completion rate's chart");
    let gap = gap.split("</figure>").next().unwrap_or_default();
    assert!(gap.contains("class=\"gap-chart\""), "{gap}");
    assert_eq!(gap.matches("<circle class=\"female\"").count(), 2, "{gap}");
    assert_eq!(gap.matches("<circle class=\"male\"").count(), 2, "{gap}");
    // Reporting by agency, for the year chosen.
    assert!(dom.contains("id=\"reporting\"") && dom.contains("data-agency=\"216-YTE\""), "{dom}");
    // The map: the new province's 99 communes at their centroids, two with a value.
    let map = dom.split("<svg class=\"symbol-map\"").nth(1).expect("the map");
    assert_eq!(map.matches("<circle class=\"symbol").count(), 99, "{map}");
    assert_eq!(map.matches("<circle class=\"symbol\"").count(), 2, "{map}");
    assert!(map.contains("data-area=\"07264\""), "{map}");

    // English when asked.
    assert!(english.contains("Objectives and targets") && english.contains(">Met<"), "{english}");
    assert!(!english.contains("Mục tiêu và chỉ tiêu"));
    // Without a token: the sign-in form and nothing else.
    assert!(signed_out.contains("<form id=\"sign-in\">"), "{signed_out}");
    assert!(!signed_out.contains("id=\"targets\""), "{signed_out}");
}
