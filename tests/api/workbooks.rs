//! Excel in and out: a reporting template downloaded, filled in and pushed back as a feed,
//! the export as a workbook, and what is refused.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use calamine::Reader;
use gender_data_hub::auth::Role;
use gender_data_hub::domain::workbooks::{self, Cell, Sheet};
use serde_json::Value;

use crate::helpers::push::counts;
use crate::helpers::TestApp;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const TEMPLATE: &str = "/api/v1/templates/tan-yen-bdg-2021-2025.xlsx";

/// The first sheet of a workbook, every cell as text.
fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let first = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&first).expect("its first sheet");
    range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}

async fn push_workbook(app: &TestApp, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let request = Request::post("/api/v1/feeds/observations?atomic=false")
        .header(header::CONTENT_TYPE, XLSX)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(bytes))
        .expect("request");
    app.send(request).await
}

#[tokio::test]
async fn a_template_filled_in_and_pushed_back_lands_and_comes_out_in_the_export() {
    let app = TestApp::seeded().await;
    let office = app.office_as("216-CCTK");
    let (status, kind, bytes) = app.get_bytes(&office, &format!("{TEMPLATE}?agencyCode=216-CCTK&period=2024")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, XLSX), "{}", String::from_utf8_lossy(&bytes));
    let rows = sheet(&bytes);
    assert_eq!(rows[0][..6], ["indicator", "indicator_name", "area", "area_name", "period", "sex"]);
    let template: Vec<&Vec<String>> = rows[1..].iter().collect();
    assert!(!template.is_empty());
    for row in &template {
        assert!(!row[1].is_empty(), "a Vietnamese name beside each code: {row:?}");
        assert_eq!((row[2].as_str(), row[4].as_str()), ("216", "2024"), "{row:?}");
        assert!(["F", "M", "T"].contains(&row[5].as_str()), "{row:?}");
        assert!(row[8..].iter().all(String::is_empty), "nothing filled in: {row:?}");
    }

    // The office fills in the first two rows, leaves the rest, and uploads it.
    let header: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    let filled: Vec<Vec<Cell>> = template
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<Cell> =
                row.iter().map(|t| if t.is_empty() { Cell::Empty } else { Cell::Text(t.clone()) }).collect();
            if i < 2 {
                cells[8] = Cell::Number(40.0 + i as f64);
            }
            cells
        })
        .collect();
    let upload =
        workbooks::write(&Sheet { name: "bieu-mau", header: &header, rows: filled, lists: vec![] }).expect("write");
    let (status, summary) = push_workbook(&app, &office, upload).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(counts(&summary), (2, 0, 0, 0), "the rows left empty are not read: {summary}");

    // The export as a workbook holds them, figures as numbers.
    let (status, kind, bytes) = app.get_bytes(&office, "/api/v1/observations.xlsx?areaCode=216&period=2024").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, XLSX));
    let exported = sheet(&bytes);
    assert_eq!(exported[0][9], "OBS_VALUE");
    let mut values: Vec<(String, String)> = exported[1..].iter().map(|r| (r[3].clone(), r[9].clone())).collect();
    values.sort();
    let mut expected: Vec<(String, String)> =
        template[..2].iter().enumerate().map(|(i, r)| (r[0].clone(), (40 + i).to_string())).collect();
    expected.sort();
    assert_eq!(values, expected);
    // Pushed back, the export changes nothing.
    let (status, summary) = push_workbook(&app, &office, bytes).await;
    assert_eq!((status, counts(&summary)), (StatusCode::OK, (0, 0, 2, 0)), "{summary}");
}

#[tokio::test]
async fn a_workbook_row_that_cannot_be_read_is_reported_by_its_excel_row() {
    let app = TestApp::seeded().await;
    let office = app.office();
    let text = |s: &str| Cell::Text(s.to_owned());
    let rows = vec![
        vec![text("SEX_RATIO_AT_BIRTH"), text("216"), text("2024"), text("T"), Cell::Number(112.4)],
        vec![text("SEX_RATIO_AT_BIRTH"), text("216"), text("2023"), text("X"), Cell::Number(110.0)],
        vec![text("SEX_RATIO_AT_BIRTH"), text("216"), text("2022"), text("Tổng"), text("111,5")],
    ];
    let header = ["Indicator", "Area", "Period", "Sex", "Value"];
    let bytes = workbooks::write(&Sheet { name: "x", header: &header, rows, lists: vec![] }).expect("write");
    let (status, summary) = push_workbook(&app, &office, bytes).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(counts(&summary), (2, 0, 0, 1), "{summary}");
    assert_eq!(
        (summary["errors"][0]["row"].as_i64(), summary["errors"][0]["code"].as_str()),
        (Some(3), Some("BAD_SEX"))
    );

    // A file that is not a workbook, sent as one; a header missing a column.
    let (status, error) = push_workbook(&app, &office, b"indicator,area\n".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["errors"][0]["message"].as_str().unwrap_or("").contains("not an Excel workbook"), "{error}");
    let bad = workbooks::write(&Sheet { name: "x", header: &["indicator", "area"], rows: vec![], lists: vec![] })
        .expect("write");
    let (status, error) = push_workbook(&app, &office, bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["errors"][0]["message"].as_str().unwrap_or("").contains("missing column `period`"), "{error}");
}

#[tokio::test]
async fn templates_are_refused_with_a_reason() {
    let app = TestApp::seeded().await;
    let office = app.office_as("216-CCTK");
    let code = |body: &[u8]| -> String {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        v["errors"][0]["extensions"]["code"].as_str().unwrap_or("").to_owned()
    };
    for (path, status, expected) in [
        ("/api/v1/templates/nope.xlsx?agencyCode=216-CCTK&period=2024", StatusCode::NOT_FOUND, "NOT_FOUND"),
        (&format!("{TEMPLATE}?agencyCode=NOPE&period=2024") as &str, StatusCode::NOT_FOUND, "NOT_FOUND"),
        (&format!("{TEMPLATE}?agencyCode=216-TP&period=2024"), StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        (&format!("{TEMPLATE}?agencyCode=216-CCTK&period=20x4"), StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        (&format!("{TEMPLATE}?agencyCode=216-CCTK"), StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        (&format!("{TEMPLATE}?agency=216-CCTK&period=2024"), StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        (
            "/api/v1/templates/tan-yen-bdg-2021-2025.csv?agencyCode=216-CCTK&period=2024",
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
    ] {
        let (got, _, body) = app.get_bytes(&office, path).await;
        assert_eq!((got, code(&body)), (status, expected.to_owned()), "{path}: {}", String::from_utf8_lossy(&body));
    }
    // A token for another province does not reach Tân Yên's plan.
    let elsewhere = app.token(Role::Dashboard, None, Some("19"));
    let (got, _, body) = app.get_bytes(&elsewhere, &format!("{TEMPLATE}?agencyCode=216-CCTK&period=2024")).await;
    assert_eq!((got, code(&body)), (StatusCode::FORBIDDEN, "FORBIDDEN".to_owned()));
    let (got, _) = app.get_as("", &format!("{TEMPLATE}?agencyCode=216-CCTK&period=2024")).await;
    assert_eq!(got, StatusCode::UNAUTHORIZED);
}
