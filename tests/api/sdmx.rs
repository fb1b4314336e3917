//! SDMX REST 2.1: the structure in SDMX-ML, data in SDMX-CSV and SDMX-JSON, the same values
//! GraphQL gives the same caller, and every refusal.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{header, Request, StatusCode};
use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::push::counts;
use crate::helpers::TestApp;

const STRUCTURE: &str = "/sdmx/2.1/dataflow/GDH/DF_GENDER/1.0?references=all";
const DATA: &str = "/sdmx/2.1/data/GDH,DF_GENDER,1.0";
const CSV_1: &str = "application/vnd.sdmx.data+csv;version=1.0.0";
const CSV_2: &str = "application/vnd.sdmx.data+csv;version=2.0.0";
const JSON_1: &str = "application/vnd.sdmx.data+json;version=1.0.0";
const GBV: &str = "GBV_VICTIMS_SUPPORTED_PCT";

/// (status, content type, body) of a GET with a token and an Accept header.
async fn get(app: &TestApp, token: Option<&str>, path: &str, accept: &str) -> (StatusCode, String, String) {
    let mut request = Request::get(path).header(header::ACCEPT, accept);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response =
        tower::ServiceExt::oneshot(app.router.clone(), request.body(axum::body::Body::empty()).expect("request"))
            .await
            .expect("an answer");
    let status = response.status();
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
    (status, kind, String::from_utf8_lossy(&bytes).into_owned())
}

/// The error code of a JSON error body.
fn code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("a JSON error: {body}"));
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

/// The codes of each codelist of a Structure message, by codelist id.
fn codelists(xml: &str) -> BTreeMap<String, Vec<String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let id_of = |e: &quick_xml::events::BytesStart| {
        e.attributes().flatten().find(|a| a.key.as_ref() == "id").map(|a| a.value.to_string()).unwrap_or_default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == "str:Codelist" => {
                let id = id_of(&e);
                lists.insert(id.clone(), Vec::new());
                current = Some(id);
            }
            Event::Start(e) if e.name().as_ref() == "str:Code" => {
                let list = current.clone().expect("a code inside a codelist");
                lists.entry(list).or_default().push(id_of(&e));
            }
            Event::Eof => return lists,
            _ => {}
        }
    }
}

/// Values read of 216: (indicator, sex, age, period) → (value, status).
type Values = BTreeMap<(String, String, String, String), (Option<f64>, String)>;

/// Values of Tân Yên (216): the sex ratio at birth of 2023 approved and of 2024 only
/// submitted; victims of violence helped in 2024, girls aged 15–19, a count of 3 of 4
/// (small: partners must not see it) beside boys' 40 of 50, all approved.
async fn values(app: &TestApp) {
    let admin = app.admin();
    let srb = |period: &str, value: f64| json!({ "indicatorCode": "SEX_RATIO_AT_BIRTH", "areaCode": "216", "period": period, "sex": "TOTAL", "value": value });
    let gbv = |sex: &str, numerator: f64, denominator: f64| {
        json!({ "indicatorCode": GBV, "areaCode": "216", "period": "2024", "sex": sex, "ageGroup": "Y15T19",
                "value": (numerator / denominator * 1000.0).round() / 10.0, "numerator": numerator, "denominator": denominator })
    };
    let rows = json!([srb("2023", 110.0), gbv("FEMALE", 3.0, 4.0), gbv("MALE", 40.0, 50.0), gbv("TOTAL", 43.0, 54.0)]);
    assert_eq!(counts(&app.push(&admin, rows).await), (4, 0, 0, 0));
    let query = r#"{ observations(filter: { status: SUBMITTED }, first: 50) { edges { node { id } } } }"#;
    let data = app.data(&admin, query, json!({})).await;
    let ids: Vec<Value> =
        data["observations"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect();
    app.approve(&admin, ids).await;
    assert_eq!(counts(&app.push(&admin, json!([srb("2024", 112.4)])).await), (1, 0, 0, 0));
}

/// What GraphQL gives `token` of 216.
async fn graphql_values(app: &TestApp, token: &str) -> Values {
    let query = r#"{ observations(filter: { areaCode: "216" }, first: 100) { edges { node {
        indicator { code } period sex ageGroup value status } } } }"#;
    let data = app.data(token, query, json!({})).await;
    let sex = |s: &str| match s {
        "FEMALE" => "F",
        "MALE" => "M",
        _ => "_T",
    };
    data["observations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            let key = (
                n["indicator"]["code"].as_str().unwrap_or_default().to_owned(),
                sex(n["sex"].as_str().unwrap_or_default()).to_owned(),
                n["ageGroup"].as_str().unwrap_or("_T").to_owned(),
                n["period"].as_str().unwrap_or_default().to_owned(),
            );
            (key, (n["value"].as_f64(), n["status"].as_str().unwrap_or_default().to_owned()))
        })
        .collect()
}

/// The same from SDMX-CSV 1.0, checking each line's layout; OBS_STATUS read back as the
/// GraphQL status, CONF_STATUS `C` exactly when there is no figure.
fn csv_values(text: &str) -> Values {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "DATAFLOW",
            "INDICATOR",
            "REF_AREA",
            "SEX",
            "AGE",
            "ETHNICITY",
            "TIME_PERIOD",
            "OBS_VALUE",
            "OBS_STATUS",
            "CONF_STATUS",
            "COMMENT_OBS",
            "NUMERATOR",
            "DENOMINATOR"
        ]
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("a record");
            assert_eq!((&r[0], &r[2], &r[5]), ("GDH:DF_GENDER(1.0)", "216", "_T"), "{r:?}");
            assert_eq!(&r[9] == "C", r[7].is_empty(), "confidential exactly when withheld: {r:?}");
            let status = match &r[8] {
                "A" => "APPROVED",
                "P" => "SUBMITTED",
                other => panic!("OBS_STATUS {other}"),
            };
            (
                (r[1].to_owned(), r[3].to_owned(), r[4].to_owned(), r[6].to_owned()),
                (r[7].parse().ok(), status.to_owned()),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_structure_holds_the_dataflow_its_dimensions_and_every_codelist() {
    let app = TestApp::seeded().await;
    let partner = app.token(Role::Partner, None, Some("VN"));
    let (status, kind, xml) =
        get(&app, Some(&partner), STRUCTURE, "application/vnd.sdmx.structure+xml;version=2.1").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/vnd.sdmx.structure+xml;version=2.1"), "{xml}");
    let lists = codelists(&xml);
    let ids: BTreeSet<&str> = lists.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "CL_AGE",
            "CL_AREA",
            "CL_CONF_STATUS",
            "CL_ETHNICITY",
            "CL_INDICATOR",
            "CL_OBS_STATUS",
            "CL_SEX"
        ])
    );
    assert_eq!(lists["CL_SEX"], ["F", "M", "_T"]);
    assert_eq!(lists["CL_OBS_STATUS"], ["A", "P", "U"]);
    assert_eq!(lists["CL_CONF_STATUS"], ["F", "C"]);
    assert!(lists["CL_AGE"].contains(&"Y15T19".to_owned()) && lists["CL_AGE"][0] == "_T");
    // Every indicator of the catalogue, every code of the map once.
    let catalogue = app.data(&partner, "{ indicators { code } }", json!({})).await;
    assert_eq!(lists["CL_INDICATOR"].len(), catalogue["indicators"].as_array().map_or(0, Vec::len));
    let areas = &lists["CL_AREA"];
    let codes = app.count("SELECT COUNT(DISTINCT code) FROM areas").await;
    assert!(codes > 10_000, "the seeded map: {codes} codes");
    assert_eq!(areas.len(), usize::try_from(codes).expect("a count"), "every code of the map");
    assert_eq!(areas.iter().collect::<BTreeSet<_>>().len(), areas.len(), "each code once");
    for code in ["VN", "24", "216", "07339"] {
        assert!(areas.contains(&code.to_owned()), "{code} in CL_AREA");
    }
    for part in [
        r#"<com:Name xml:lang="vi">Tỷ số giới tính khi sinh (số bé trai/100 bé gái sinh ra sống)</com:Name>"#,
        r#"<com:Name xml:lang="en">Sex ratio at birth"#,
        r#"<str:Dimension id="REF_AREA""#,
        r#"<str:TimeDimension id="TIME_PERIOD""#,
        r#"<str:Attribute id="CONF_STATUS""#,
        r#"<str:PrimaryMeasure id="OBS_VALUE""#,
        r#"<Ref id="DSD_GENDER" version="1.0" agencyID="GDH" package="datastructure" class="DataStructure"/>"#,
    ] {
        assert!(xml.contains(part), "{part} missing");
    }
    // A partner of one province gets its part of the map, as GraphQL's `areas` gives it.
    let provincial = app.token(Role::Partner, None, Some("24"));
    let (_, _, xml_24) = get(&app, Some(&provincial), "/sdmx/2.1/codelist/GDH/CL_AREA/1.0", "*/*").await;
    let areas_24 = &codelists(&xml_24)["CL_AREA"];
    for code in ["24", "216", "07339"] {
        assert!(areas_24.contains(&code.to_owned()), "{code} in Bắc Ninh's CL_AREA");
    }
    assert!(!areas_24.contains(&"01".to_owned()) && !areas_24.contains(&"VN".to_owned()), "{areas_24:?}");

    // Bắc Ninh's code 24 was Bắc Giang's until the 2025 reform: named by its last holder,
    // both holders described.
    let start = xml.find(r#"<str:Code id="24" "#).expect("code 24");
    let code_24 = &xml[start..start + xml[start..].find("</str:Code>").expect("its end")];
    assert!(code_24.contains("Bắc Ninh") && code_24.contains("Bắc Giang"), "{code_24}");
}

#[tokio::test]
async fn a_structure_query_gets_what_it_names_and_no_more() {
    let app = TestApp::seeded().await;
    let partner = app.token(Role::Partner, None, Some("24"));
    let xml = "application/xml";
    let (status, _, flow) = get(&app, Some(&partner), "/sdmx/2.1/dataflow/GDH/DF_GENDER/latest", xml).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        flow.contains("<str:Dataflow ") && !flow.contains("<str:DataStructure ") && !flow.contains("<str:Codelist ")
    );
    let (status, _, sex) = get(&app, Some(&partner), "/sdmx/2.1/codelist/GDH/CL_SEX/1.0", xml).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codelists(&sex).keys().collect::<Vec<_>>(), ["CL_SEX"]);
    let (status, _, dsd) =
        get(&app, Some(&partner), "/sdmx/2.1/datastructure/GDH/DSD_GENDER?references=children", xml).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        dsd.contains("<str:DataStructure ") && dsd.contains("<str:ConceptScheme ") && !dsd.contains("<str:Dataflow ")
    );
    assert_eq!(codelists(&dsd).len(), 7);
    let (status, _, all) = get(&app, Some(&partner), "/sdmx/2.1/dataflow", "*/*").await;
    assert_eq!(status, StatusCode::OK, "every dataflow: {all}");
    assert!(all.contains(r#"<str:Dataflow id="DF_GENDER""#));

    for (path, accept, expected, says) in [
        ("/sdmx/2.1/dataflow/GDH/DF_OTHER/1.0", xml, StatusCode::NOT_FOUND, "this hub has dataflow GDH/DF_GENDER/1.0"),
        ("/sdmx/2.1/dataflow/ESTAT/DF_GENDER/1.0", xml, StatusCode::NOT_FOUND, "ESTAT/DF_GENDER/1.0"),
        ("/sdmx/2.1/dataflow/GDH/DF_GENDER/2.0", xml, StatusCode::NOT_FOUND, "GDH/DF_GENDER/2.0"),
        ("/sdmx/2.1/codelist/GDH/CL_COLOUR/1.0", xml, StatusCode::NOT_FOUND, "CL_SEX"),
        ("/sdmx/2.1/categoryscheme/GDH", xml, StatusCode::NOT_FOUND, "dataflow, datastructure"),
        ("/sdmx/2.1/dataflow/GDH/DF_GENDER/1.0?references=everything", xml, StatusCode::BAD_REQUEST, "references"),
        ("/sdmx/2.1/dataflow/GDH/DF_GENDER/1.0?detail=allstubs", xml, StatusCode::BAD_REQUEST, "detail=full"),
        ("/sdmx/2.1/dataflow/GDH/DF_GENDER/1.0?refs=all", xml, StatusCode::BAD_REQUEST, "`refs`"),
        ("/sdmx/2.1/dataflow/GDH/DF_GENDER/1.0", "application/json", StatusCode::NOT_ACCEPTABLE, "structure+xml"),
    ] {
        let (status, _, body) = get(&app, Some(&partner), path, accept).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(body.contains(says), "{path}: {body}");
    }
    let (status, _, body) = get(&app, None, STRUCTURE, xml).await;
    assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"));
}

#[tokio::test]
async fn data_in_each_format_is_what_graphql_gives_the_same_caller() {
    let app = TestApp::seeded().await;
    values(&app).await;
    let admin = app.admin();
    let path = format!("{DATA}/all?startPeriod=2023&endPeriod=2024");
    let (status, kind, text) = get(&app, Some(&admin), &path, CSV_1).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, CSV_1), "{text}");
    let sdmx = csv_values(&text);
    let graphql = graphql_values(&app, &admin).await;
    assert_eq!(sdmx, graphql);
    assert_eq!(sdmx.len(), 5, "2023 approved, 2024 submitted, and the three of violence: {sdmx:?}");

    // SDMX-CSV 2.0 holds the same lines behind its three columns.
    let (status, kind, text_2) = get(&app, Some(&admin), &path, CSV_2).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, CSV_2));
    let same: Vec<String> = text_2
        .lines()
        .skip(1)
        .map(|l| l.replacen("dataflow,GDH:DF_GENDER(1.0),I,", "GDH:DF_GENDER(1.0),", 1))
        .collect();
    assert_eq!(same, text.lines().skip(1).collect::<Vec<_>>());

    // The period range: 2024 only; a key naming codes.
    let (_, _, text) =
        get(&app, Some(&admin), &format!("{DATA}/SEX_RATIO_AT_BIRTH.216.._T._T?startPeriod=2024-01-01"), CSV_1).await;
    assert_eq!(csv_values(&text).into_values().collect::<Vec<_>>(), [(Some(112.4), "SUBMITTED".to_owned())]);
    let (_, _, text) = get(&app, Some(&admin), &format!("{DATA}/{GBV}.216.F+M.Y15T19._T"), CSV_1).await;
    let sexes: Vec<String> = csv_values(&text).into_keys().map(|k| k.1).collect();
    assert_eq!(sexes, ["F", "M"]);

    // SDMX-JSON 1.0: series by their codes' positions, observations by the period's.
    let (status, kind, body) = get(&app, Some(&admin), &format!("{DATA}/SEX_RATIO_AT_BIRTH.216..."), JSON_1).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, JSON_1), "{body}");
    let message: Value = serde_json::from_str(&body).expect("JSON");
    let structure = &message["structure"];
    let series_dims: Vec<&str> =
        structure["dimensions"]["series"].as_array().expect("series").iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(series_dims, ["INDICATOR", "REF_AREA", "SEX", "AGE", "ETHNICITY"]);
    assert_eq!(structure["dimensions"]["series"][1]["values"][0], json!({ "id": "216", "name": "Huyện Tân Yên" }));
    let periods = &structure["dimensions"]["observation"][0]["values"];
    let observations = &message["dataSets"][0]["series"]["0:0:0:0:0"]["observations"];
    let mut by_period: BTreeMap<String, f64> = BTreeMap::new();
    for (position, cell) in observations.as_object().expect("observations") {
        let i: usize = position.parse().expect("a position");
        by_period
            .insert(periods[i]["id"].as_str().unwrap_or_default().to_owned(), cell[0].as_f64().unwrap_or(f64::NAN));
    }
    assert_eq!(by_period, BTreeMap::from([("2023".to_owned(), 110.0), ("2024".to_owned(), 112.4)]));
    let flat = get(
        &app,
        Some(&admin),
        &format!("{DATA}/SEX_RATIO_AT_BIRTH.216...?dimensionAtObservation=AllDimensions"),
        JSON_1,
    )
    .await;
    let flat: Value = serde_json::from_str(&flat.2).expect("JSON");
    assert_eq!(flat["dataSets"][0]["observations"].as_object().map(|o| o.len()), Some(2), "{flat}");
    let csv_asked =
        get(&app, Some(&admin), &format!("{DATA}/SEX_RATIO_AT_BIRTH.216...?format=sdmx-json"), "text/csv").await;
    assert_eq!(csv_asked.1, JSON_1, "format= wins over Accept");
}

#[tokio::test]
async fn partners_get_approved_values_with_small_counts_confidential_as_graphql_shows_them() {
    let app = TestApp::seeded().await;
    values(&app).await;
    let partner = app.token(Role::Partner, None, Some("24"));
    let (status, _, text) = get(&app, Some(&partner), &format!("{DATA}/all"), CSV_1).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let sdmx = csv_values(&text);
    assert_eq!(sdmx, graphql_values(&app, &partner).await);
    assert!(!sdmx.keys().any(|k| k.3 == "2024" && k.0 == "SEX_RATIO_AT_BIRTH"), "a submitted value is not published");
    let girls = sdmx.get(&(GBV.to_owned(), "F".to_owned(), "Y15T19".to_owned(), "2024".to_owned()));
    assert_eq!(girls, Some(&(None, "APPROVED".to_owned())), "3 of 4 is withheld: {sdmx:?}");
    assert!(!text.contains(",3,4"), "nor its numerator and denominator: {text}");
}

#[tokio::test]
async fn data_queries_are_checked_and_refused_with_what_was_wrong() {
    let app = TestApp::seeded().await;
    values(&app).await;
    let admin = app.admin();
    let elsewhere = app.token(Role::Dashboard, None, Some("01"));
    let province = app.token(Role::Dashboard, None, Some("24"));
    for (token, path, accept, expected, error, says) in [
        (
            &admin,
            format!("{DATA}/SEX_RATIO_AT_BIRTH.216"),
            CSV_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "INDICATOR.REF_AREA.SEX.AGE.ETHNICITY",
        ),
        (
            &admin,
            format!("{DATA}/SEX_RATIO_AT_BIRTH.216.X.."),
            CSV_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "F, M or _T",
        ),
        (
            &admin,
            format!("{DATA}/SEX_RATIO_AT_BIRTH.216.T.."),
            CSV_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "`T` is not a SEX code",
        ),
        (
            &admin,
            format!("{DATA}/all?includeHistory=true"),
            CSV_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "Observation.history",
        ),
        (
            &admin,
            format!("{DATA}/all"),
            "application/vnd.sdmx.data+json;version=2.0.0",
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "genericdata+xml",
        ),
        (&admin, "/sdmx/2.1/data".to_owned(), CSV_1, StatusCode::NOT_FOUND, "NOT_FOUND", "names its dataflow"),
        (&province, format!("{DATA}/.216+01..."), CSV_1, StatusCode::FORBIDDEN, "FORBIDDEN", "01"),
        (
            &admin,
            "/sdmx/2.1/data/GDH,DF_OTHER,1.0/all".to_owned(),
            CSV_1,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "GDH,DF_GENDER,1.0",
        ),
        (
            &admin,
            "/sdmx/2.1/data/GDH,DF_GENDER,9.9/all".to_owned(),
            CSV_1,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "GDH,DF_GENDER,1.0",
        ),
        (
            &admin,
            format!("{DATA}/SEX_RATIO_AT_BIRTH.216...?startPeriod=2030"),
            CSV_1,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "NoResultsFound",
        ),
        (
            &admin,
            format!("{DATA}/SEX_RATIO_AT_BIRTH.216...?startPeriod=last-year"),
            CSV_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "startPeriod",
        ),
        (
            &admin,
            format!("{DATA}/all?startPeriod=2025&endPeriod=2024"),
            CSV_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "before startPeriod",
        ),
        (
            &admin,
            format!("{DATA}/all?dimensionAtObservation=COLOUR"),
            JSON_1,
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "AllDimensions",
        ),
        (&admin, format!("{DATA}/all?detail=nodata"), CSV_1, StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "dataonly"),
        (&admin, format!("{DATA}/all?format=xlsx"), CSV_1, StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "sdmx-json"),
        (&admin, format!("{DATA}/all?start=2024"), CSV_1, StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "`start`"),
        (&admin, format!("{DATA}/all"), "text/html", StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE", "version=1.0.0"),
        (&admin, format!("{DATA}/all/ESTAT"), CSV_1, StatusCode::NOT_FOUND, "NOT_FOUND", "provider"),
        (&admin, format!("{DATA}/.99999..."), CSV_1, StatusCode::NOT_FOUND, "NOT_FOUND", "99999"),
        (&elsewhere, format!("{DATA}/.216..."), CSV_1, StatusCode::FORBIDDEN, "FORBIDDEN", "216"),
    ] {
        let (status, _, body) = get(&app, Some(token), &path, accept).await;
        assert_eq!((status, code(&body).as_str()), (expected, error), "{path}: {body}");
        assert!(body.contains(says), "{path}: {body}");
    }
    // Hà Nội's dashboard asking for everything gets Hà Nội's values: none.
    let (status, _, body) = get(&app, Some(&elsewhere), &format!("{DATA}/all"), CSV_1).await;
    assert_eq!((status, code(&body).as_str()), (StatusCode::NOT_FOUND, "NOT_FOUND"), "{body}");
    let (status, _, body) = get(&app, None, &format!("{DATA}/all"), CSV_1).await;
    assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"));
}

/// The real clients partners use, sdmx1 and pysdmx (from PyPI, `clients/requirements.txt`),
/// against a served hub: each reads the structure, validates a key against it and refuses
/// one with an unknown code, reads the data in every SDMX format it reads, and must get
/// what GraphQL gives the same partner (`clients/sdmx/sdmx_clients.py`).
#[tokio::test]
async fn sdmx1_and_pysdmx_read_the_structure_and_get_what_graphql_gives() {
    let app = TestApp::seeded().await;
    values(&app).await;
    let partner = app.token(Role::Partner, None, Some("24"));
    let address = crate::helpers::http::serve(app.router.clone()).await;
    let base = format!("http://{address}");
    let args = [
        base.as_str(),
        partner.as_str(),
        "--key",
        "SEX_RATIO_AT_BIRTH+GBV_VICTIMS_SUPPORTED_PCT.216...",
        "--start",
        "2023",
        "--end",
        "2024",
        "--sdmx1-formats",
        "csv2,json1,ss,generic",
        "--pysdmx-formats",
        "ss,generic",
    ];
    let root = crate::helpers::python::root();
    let (status, stdout, stderr) =
        crate::helpers::python::run_python("clients/sdmx/sdmx_clients.py", &args, &[], root).await;
    assert!(status.success(), "the clients failed ({status}):\n{stderr}\n{stdout}");
    let graphql = graphql_values(&app, &partner).await;
    assert_eq!(graphql.len(), 4, "2023's ratio and the three of violence: {graphql:?}");
    let mut clients = Vec::new();
    for line in stdout.lines() {
        let read: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let values: Values = read["observations"]
            .as_array()
            .expect("observations")
            .iter()
            .map(|o| {
                let text = |k: &str| o[k].as_str().unwrap_or_default().to_owned();
                assert_eq!((text("REF_AREA"), text("ETHNICITY")), ("216".to_owned(), "_T".to_owned()), "{o}");
                assert_eq!(o["CONF_STATUS"] == "C", o["OBS_VALUE"].is_null(), "{o}");
                let status = if text("OBS_STATUS") == "A" { "APPROVED" } else { "SUBMITTED" };
                let key = (text("INDICATOR"), text("SEX"), text("AGE"), text("TIME_PERIOD"));
                (key, (o["OBS_VALUE"].as_f64(), status.to_owned()))
            })
            .collect();
        assert_eq!(values, graphql, "{} reads what GraphQL gives", read["client"]);
        clients.push(read["client"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(clients, ["sdmx1", "pysdmx"]);
}

#[tokio::test]
async fn the_accept_header_chooses_the_format_and_detail_leaves_out_what_it_says() {
    let app = TestApp::seeded().await;
    values(&app).await;
    let admin = app.admin();
    let path = format!("{DATA}/{GBV}.216.F.Y15T19.");
    for (accept, expected) in [
        ("text/html;q=0.9, application/vnd.sdmx.data+json;version=1.0.0;q=0.5", JSON_1),
        ("application/vnd.sdmx.data+csv;version=1.0.0;q=0.4, application/vnd.sdmx.data+csv;version=2.0.0;labels=both", CSV_2),
        ("*/*", "application/vnd.sdmx.genericdata+xml;version=2.1"),
        ("application/xml;q=0.1, application/vnd.sdmx.structurespecificdata+xml;version=2.1", "application/vnd.sdmx.structurespecificdata+xml;version=2.1"),
    ] {
        let (status, kind, body) = get(&app, Some(&admin), &path, accept).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, expected), "{accept}: {body}");
    }
    let (_, _, full) = get(&app, Some(&admin), &path, CSV_1).await;
    assert!(full.contains(",A,F,,3,4"), "numerator and denominator: {full}");
    let (_, _, data_only) = get(&app, Some(&admin), &format!("{path}?detail=dataonly"), CSV_1).await;
    assert!(data_only.contains(",75,A,F,,,\n"), "the figure and its status only: {data_only}");
    let (_, _, xml) = get(&app, Some(&admin), &format!("{path}?detail=dataonly"), "*/*").await;
    assert!(xml.contains(r#"<gen:ObsValue value="75"/>"#) && !xml.contains("NUMERATOR"), "{xml}");

    // A rejected value is not a figure: internal roles do not get it either.
    let query = r#"{ observations(filter: { indicatorCode: "GBV_VICTIMS_SUPPORTED_PCT", sex: FEMALE }, first: 5) { edges { node { id } } } }"#;
    let data = app.data(&admin, query, json!({})).await;
    let ids: Vec<Value> =
        data["observations"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect();
    app.reject(&admin, ids, "to be checked again").await;
    let (status, _, body) = get(&app, Some(&admin), &path, CSV_1).await;
    assert_eq!((status, code(&body).as_str()), (StatusCode::NOT_FOUND, "NOT_FOUND"), "{body}");
}
