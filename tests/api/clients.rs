//! The ready clients of `clients/`, run as their users run them against a seeded app served on
//! a real port: the Python example (template downloaded, filled in with openpyxl, pushed,
//! `cells` read into pandas), with the Python of `helpers::python`; and the dashboard's
//! JavaScript (`clients/js/cells.mjs`) with Node.js: `GDH_TEST_NODE`, else `node` on the PATH.
//! A machine without them fails these tests, saying what to install.

use std::path::{Path, PathBuf};

use calamine::Reader;
use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::http::serve;
use crate::helpers::push::{counts, obs};
use crate::helpers::python::{run, run_python};
use crate::helpers::TestApp;

const EXAMPLE: &str = "clients/python/gdh_example.py";
const TEMPLATE: &str = "/api/v1/templates/tan-yen-bdg-2021-2025.xlsx";

const CELLS: &str = "query($i: [String!]!, $a: [String!], $p: [String!], $s: [Sex!]) { \
    cells(indicatorCodes: $i, areaCodes: $a, periods: $p, sex: $s) { \
      indicator { code } area { code } period sex value numerator denominator status derived suppressed } }";

/// The first sheet of a workbook file, every cell as text.
fn sheet(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sheet_of(&bytes)
}

fn sheet_of(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let first = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&first).expect("its first sheet");
    range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}

/// The JSON line a client prints last.
fn last_json(stdout: &str) -> Value {
    let line = stdout.lines().next_back().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("the last line is not JSON ({e}):\n{stdout}"))
}

/// The cells, as the test reads them itself, in the rows the example prints (one per cell,
/// flattened), sorted.
async fn cells_as_rows(app: &TestApp, token: &str, indicators: &[&str], sexes: &[&str]) -> Vec<Value> {
    let variables = json!({ "i": indicators, "a": ["216"], "p": ["2024"], "s": sexes });
    let data = app.data(token, CELLS, variables).await;
    let mut rows: Vec<Value> = data["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            json!({ "indicator": c["indicator"]["code"], "area": c["area"]["code"], "period": c["period"],
                    "sex": c["sex"], "value": c["value"], "numerator": c["numerator"],
                    "denominator": c["denominator"], "status": c["status"], "derived": c["derived"],
                    "suppressed": c["suppressed"] })
        })
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

/// The example's DataFrame rows, in the same fields as `cells_as_rows`, sorted.
fn printed_rows(result: &Value) -> Vec<Value> {
    let fields =
        ["indicator", "area", "period", "sex", "value", "numerator", "denominator", "status", "derived", "suppressed"];
    let mut rows: Vec<Value> = result["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("no cells in {result}"))
        .iter()
        .map(|r| Value::Object(fields.iter().map(|f| (f.to_string(), r[*f].clone())).collect()))
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

/// Submitted values of Tân Yên in 2024: (indicator, sex, value), sorted.
async fn stored(app: &TestApp, agency: &str) -> Vec<String> {
    let mut rows = app
        .texts(&format!(
            "SELECT o.indicator_code || ' ' || o.sex || ' ' || CAST(o.value * 10 AS INTEGER) FROM observations o \
             JOIN areas a ON a.id = o.area_id WHERE a.code = '216' AND o.period = '2024' \
             AND o.status = 'SUBMITTED' AND o.source_agency_code = '{agency}'"
        ))
        .await;
    rows.sort();
    rows
}

#[tokio::test]
async fn the_python_example_fills_in_a_template_pushes_it_and_reads_the_cells_back_into_pandas() {
    let app = TestApp::seeded().await;
    let url = format!("http://{}", serve(app.router.clone()).await);
    let dir = tempfile::tempdir().expect("a directory");
    let office = app.office_as("216-CCTK");

    // The statistics office with the seeded defaults (its plan, 216-CCTK, 2024), the URL and
    // token from the environment as the README has them.
    let args = ["--value", "WOMEN_BUSINESS_DIRECTORS_PCT=28.5", "--value", "FEMALE_MASTERS_PCT:T=51"];
    let env = [("GDH_URL", url.as_str()), ("GDH_TOKEN", office.as_str())];
    let (status, stdout, stderr) = run_python(EXAMPLE, &args, &env, dir.path()).await;
    assert!(status.success(), "{status}\n{stdout}\n{stderr}");
    let result = last_json(&stdout);

    // The template, as downloaded: the office's four values to report, nothing filled in.
    let name = "tan-yen-bdg-2021-2025-216-CCTK-2024.xlsx";
    assert_eq!(result["template"], json!({ "path": name, "rows": 4 }), "kept where it ran");
    let template = dir.path().join(name);
    let (got, _, served) = app.get_bytes(&office, &format!("{TEMPLATE}?agencyCode=216-CCTK&period=2024")).await;
    assert_eq!(got, 200);
    let rows = sheet(&template);
    assert_eq!(rows, sheet_of(&served), "the template as the hub serves it");
    assert_eq!(rows[0][8], "value");
    let mut codes: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    codes.sort();
    let cctk =
        ["FEMALE_DOCTORATES_PCT", "FEMALE_MASTERS_PCT", "UNPAID_CARE_HOURS_RATIO", "WOMEN_BUSINESS_DIRECTORS_PCT"];
    assert_eq!(codes, cctk);
    // The copy it filled in and sent: the two values as numbers, the rest left empty.
    let filled = sheet(&dir.path().join("tan-yen-bdg-2021-2025-216-CCTK-2024-filled.xlsx"));
    let mut values: Vec<(&str, &str)> = filled[1..].iter().map(|r| (r[0].as_str(), r[8].as_str())).collect();
    values.sort();
    assert_eq!(
        values,
        [
            ("FEMALE_DOCTORATES_PCT", ""),
            ("FEMALE_MASTERS_PCT", "51"),
            ("UNPAID_CARE_HOURS_RATIO", ""),
            ("WOMEN_BUSINESS_DIRECTORS_PCT", "28.5")
        ]
    );

    // The push: two created, as the hub summed it up and the example printed it.
    assert_eq!(counts(&result["push"]), (2, 0, 0, 0), "{stdout}");
    assert!(stdout.contains("created 2, updated 0, unchanged 0, rejected 0"), "{stdout}");
    assert_eq!(
        stored(&app, "216-CCTK").await,
        ["FEMALE_MASTERS_PCT TOTAL 510", "WOMEN_BUSINESS_DIRECTORS_PCT TOTAL 285"],
        "in the database, submitted, from the office's agency"
    );

    // The DataFrame holds what `cells` answers the test: the four cells, two with a value.
    let read = cells_as_rows(&app, &office, &cctk, &["TOTAL"]).await;
    assert_eq!(printed_rows(&result), read);
    let with_value: Vec<(&str, f64)> =
        read.iter().filter_map(|c| Some((c["indicator"].as_str()?, c["value"].as_f64()?))).collect();
    assert_eq!(with_value, [("FEMALE_MASTERS_PCT", 51.0), ("WOMEN_BUSINESS_DIRECTORS_PCT", 28.5)]);
    assert!(read.iter().all(|c| c["period"] == "2024" && c["area"] == "216"), "{read:?}");

    // Run again: the same values are unchanged.
    let (status, stdout, stderr) = run_python(EXAMPLE, &args, &env, dir.path()).await;
    assert!(status.success(), "{status}\n{stdout}\n{stderr}");
    assert_eq!(counts(&last_json(&stdout)["push"]), (0, 0, 2, 0), "{stdout}");

    // The education office, as an agency reporter with its own template (URL and token as
    // arguments): girls and boys, and the gender gap printed.
    let education = app.token(Role::AgencyReporter, Some("216-GDDT"), Some("24"));
    let args = [
        "--url",
        &url,
        "--token",
        &education,
        "--agency",
        "216-GDDT",
        "--value",
        "EM_PRIMARY_COMPLETION_PCT:F=96",
        "--value",
        "EM_PRIMARY_COMPLETION_PCT:M=88.5",
    ];
    let (status, stdout, stderr) = run_python(EXAMPLE, &args, &[], dir.path()).await;
    assert!(status.success(), "{status}\n{stdout}\n{stderr}");
    let result = last_json(&stdout);
    assert_eq!(counts(&result["push"]), (2, 0, 0, 0), "{stdout}");
    assert_eq!(
        stored(&app, "216-GDDT").await,
        ["EM_PRIMARY_COMPLETION_PCT FEMALE 960", "EM_PRIMARY_COMPLETION_PCT MALE 885"]
    );
    let gap = stdout.split("gender gap (women - men):").nth(1).unwrap_or_else(|| panic!("no gap table:\n{stdout}"));
    let line = gap.lines().find(|l| l.starts_with("EM_PRIMARY_COMPLETION_PCT")).expect("the completion rate's gap");
    let figures: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(figures, ["EM_PRIMARY_COMPLETION_PCT", "216", "2024", "96.0", "88.5", "7.5"], "{gap}");
    let indicators: Vec<&str> = result["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter_map(|c| c["indicator"].as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let sexes = ["FEMALE", "MALE", "TOTAL"];
    assert_eq!(printed_rows(&result), cells_as_rows(&app, &education, &indicators, &sexes).await);
}

#[tokio::test]
async fn the_python_example_shows_the_hubs_refusal_and_exits_non_zero() {
    let app = TestApp::seeded().await;
    let url = format!("http://{}", serve(app.router.clone()).await);
    let dir = tempfile::tempdir().expect("a directory");

    // A partner reads Tân Yên (and may download its template) but pushes nothing.
    let partner = app.token(Role::Partner, None, Some("216"));
    let args = ["--url", &url, "--token", &partner, "--value", "WOMEN_BUSINESS_DIRECTORS_PCT=28.5"];
    let (status, stdout, stderr) = run_python(EXAMPLE, &args, &[], dir.path()).await;
    assert_eq!(status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("error: POST /api/v1/feeds/observations: HTTP 403 FORBIDDEN: "),
        "the request, the status and the hub's code:\n{stderr}"
    );
    assert!(!stderr.contains("Traceback"), "{stderr}");
    let result = last_json(&stdout);
    assert_eq!((&result["error"]["status"], &result["error"]["code"]), (&json!(403), &json!("FORBIDDEN")), "{result}");
    assert_eq!(app.count("SELECT COUNT(*) FROM observations").await, 0, "nothing written");

    // A template for a plan that does not exist: the hub's NOT_FOUND, before any push.
    let office = app.office_as("216-CCTK");
    let args = ["--url", &url, "--token", &office, "--plan", "no-such-plan"];
    let (status, stdout, stderr) = run_python(EXAMPLE, &args, &[], dir.path()).await;
    assert_eq!(status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("GET /api/v1/templates/no-such-plan.xlsx: HTTP 404 NOT_FOUND: "), "{stderr}");
    assert_eq!(last_json(&stdout)["error"]["code"], "NOT_FOUND");

    // No token at all: a usage error, before any request.
    let (status, _, stderr) = run_python(EXAMPLE, &["--url", &url], &[("GDH_TOKEN", "")], dir.path()).await;
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no token: pass --token or set GDH_TOKEN"), "{stderr}");
}

/// Node.js: `GDH_TEST_NODE`, else `node` on the PATH.
fn node() -> PathBuf {
    let node = PathBuf::from(std::env::var_os("GDH_TEST_NODE").unwrap_or_else(|| "node".into()));
    let works = std::process::Command::new(&node).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(
        works,
        "cannot run {}: install Node.js 18 or later (Debian: apt-get install nodejs), or set GDH_TEST_NODE",
        node.display()
    );
    node
}

#[tokio::test]
async fn the_javascript_snippet_prints_the_gender_gap_and_downloads_the_template() {
    let app = TestApp::seeded().await;
    let office = app.office_as("216-GDDT");
    let rows = json!([
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "FEMALE", 95.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2023", "MALE", 90.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "FEMALE", 97.5),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2024", "MALE", 93.0),
        obs("EM_PRIMARY_COMPLETION_PCT", "216", "2022", "FEMALE", 94.0),
    ]);
    assert_eq!(counts(&app.push(&office, rows).await), (5, 0, 0, 0));
    let url = format!("http://{}", serve(app.router.clone()).await);
    let dir = tempfile::tempdir().expect("a directory");
    let dashboard = app.token(Role::Dashboard, None, Some("24"));
    let env = [("GDH_URL", url.as_str()), ("GDH_TOKEN", dashboard.as_str())];
    let (status, stdout, stderr) = run(&node(), "clients/js/cells.mjs", &[], &env, dir.path()).await;
    assert!(status.success(), "{status}\n{stdout}\n{stderr}");

    // The gap by year, where both sexes have a value; a year with one has none.
    let printed = stdout.lines().rev().nth(1).unwrap_or_default();
    let gap: Value = serde_json::from_str(printed).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(
        gap,
        json!({
            "2021": { "women": null, "men": null, "gap": null },
            "2022": { "women": 94, "men": null, "gap": null },
            "2023": { "women": 95, "men": 90, "gap": 5 },
            "2024": { "women": 97.5, "men": 93, "gap": 4.5 },
        })
    );
    // The same as console.table draws it for a person.
    let row = stdout.lines().find(|l| l.starts_with("│ 2024")).unwrap_or_else(|| panic!("no table row:\n{stdout}"));
    let cells: Vec<&str> = row.split('│').map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells, ["2024", "97.5", "93", "4.5"], "{stdout}");
    // The template, a workbook with the office's rows.
    let template = sheet(&dir.path().join("bieu-mau.xlsx"));
    assert_eq!(template[0][0], "indicator");
    assert_eq!(template.len(), 5, "the statistics office's four values and the header: {template:?}");

    // Refused: the error's code, and a non-zero exit.
    let env = [("GDH_URL", url.as_str()), ("GDH_TOKEN", "not-a-token")];
    let (status, _, stderr) = run(&node(), "clients/js/cells.mjs", &[], &env, dir.path()).await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: UNAUTHENTICATED: ") && stderr.contains("(HTTP 401)"), "{stderr}");
}
