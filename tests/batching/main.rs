//! Lists are batched: a nested query runs as many SQL statements for all plans as for one.
//! Statements are counted from sqlx's own per-statement log events (target `sqlx::query`).
//!
//! A test binary of its own, with this one test: the counter is the process's global
//! subscriber (SQLite runs statements on a thread of its own, which a thread-local one would
//! not reach), so it must see no other test's statements. It builds on the suite's `base`
//! (fresh database, seeds, tokens) and pushes with the suite's one push text.

#[path = "../api/helpers/base.rs"]
mod base;
#[path = "../api/helpers/push_mutation.rs"]
mod push_mutation;
#[path = "../api/helpers/seeded_app.rs"]
mod seeded_app;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gender_data_hub::auth::Role;
use http_body_util::BodyExt;
use seeded_app::TestApp;
use serde_json::{json, Value};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

struct CountStatements(Arc<AtomicUsize>);

/// The statement's summary (its first words), which sqlx logs with each statement.
struct Summary(String);

impl tracing::field::Visit for Summary {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            self.0 = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut summary = Summary(String::new());
        event.record(&mut summary);
        // A connection the pool opens mid-request runs its own setup (SQLite's PRAGMAs);
        // that is the pool's doing, not the request's.
        if !summary.0.trim_start().to_ascii_uppercase().starts_with("PRAGMA") {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// What this binary asks of the seeded app beyond the shared part.
impl TestApp {
    fn admin(&self) -> String {
        self.token(Role::Admin, None, None)
    }

    /// Data of a GraphQL operation that must succeed.
    async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(json!({ "query": query, "variables": variables }).to_string()))
            .expect("request");
        let response = tower::ServiceExt::oneshot(self.router.clone(), request).await.expect("response");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body: Value =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }
}

const NESTED: &str =
    "objectives { code targets { code indicator { code } progress { status } assignments { role agency { code name } } } }";

#[tokio::test]
async fn the_nested_plan_query_runs_the_same_statements_for_one_plan_and_for_all() {
    let statements = Arc::new(AtomicUsize::new(0));
    let layer =
        CountStatements(statements.clone()).with_filter(Targets::new().with_target("sqlx::query", LevelFilter::TRACE));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).expect("subscriber");

    let app = TestApp::seeded().await;
    let one = format!(r#"{{ plan(code: "tan-yen-bdg-2021-2025") {{ {NESTED} }} }}"#);
    let all = format!("{{ plans {{ {NESTED} }} }}");

    for (role, area) in [(Role::Admin, None), (Role::Dashboard, Some("VN"))] {
        let token = app.token(role, None, area);
        let count = |query: String| {
            let app = &app;
            let token = token.clone();
            let statements = statements.clone();
            async move {
                let before = statements.load(Ordering::SeqCst);
                let data = app.data(&token, &query, json!({})).await;
                (statements.load(Ordering::SeqCst) - before, data)
            }
        };
        // Once uncounted, so that opening pool connections (which runs statements of its
        // own) does not fall into either measure.
        count(one.clone()).await;
        count(all.clone()).await;
        let (for_one, one_data) = count(one.clone()).await;
        let (for_all, all_data) = count(all.clone()).await;

        let plans = all_data["plans"].as_array().expect("plans");
        let targets: usize = plans
            .iter()
            .flat_map(|p| p["objectives"].as_array().into_iter().flatten())
            .map(|o| o["targets"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(plans.len(), 10);
        assert!(targets > 100, "the query must return many targets to prove anything: {targets}");
        assert!(!one_data["plan"]["objectives"].as_array().expect("objectives").is_empty());
        assert!(for_one > 0, "statements were not counted");
        assert_eq!(for_all, for_one, "{role}: {for_all} statements for all plans, {for_one} for one");
        // the token's revocation check, plan(s) + objectives + targets + indicators +
        // assignments + agencies, progress (what the targets' units reach, their boundary
        // changes, their successors' changes, the units of both, indicators, totals),
        // plus the units of the caller's area code for roles below admin (a national
        // token reaches everything, so no list of units is read).
        let expected = if role == Role::Admin { 14 } else { 15 };
        assert_eq!(for_one, expected, "{role}");
    }

    // Every indicator's page of values, with a value's indicator and area: as many
    // statements for 29 indicators as for one.
    let admin = app.admin();
    let rows: Vec<Value> = ["SEX_RATIO_AT_BIRTH", "MATERNAL_MORTALITY_RATIO", "ADOLESCENT_BIRTH_RATE"]
        .iter()
        .flat_map(|code| {
            ["2022", "2023", "2024"].map(
                |p| json!({ "indicatorCode": code, "areaCode": "216", "period": p, "sex": "TOTAL", "value": 50.0 }),
            )
        })
        .collect();
    app.data(&admin, push_mutation::PUSH, json!({ "input": { "observations": rows } })).await;
    const PAGE: &str =
        "observations(first: 2) { totalCount edges { node { value indicator { code } area { name } } } }";
    let one = format!(r#"{{ indicator(code: "SEX_RATIO_AT_BIRTH") {{ code {PAGE} }} }}"#);
    let all = format!("{{ indicators {{ code {PAGE} }} }}");
    let measure = |query: String| {
        let (app, admin, statements) = (&app, admin.clone(), statements.clone());
        async move {
            let before = statements.load(Ordering::SeqCst);
            let data = app.data(&admin, &query, json!({})).await;
            (statements.load(Ordering::SeqCst) - before, data)
        }
    };
    let (for_one, one_data) = measure(one).await;
    let (for_all, all_data) = measure(all).await;
    assert_eq!(one_data["indicator"]["observations"]["totalCount"], 3);
    assert_eq!(one_data["indicator"]["observations"]["edges"].as_array().map(Vec::len), Some(2));
    let pages = all_data["indicators"].as_array().expect("indicators");
    let with_values = pages.iter().filter(|i| i["observations"]["totalCount"] == 3).count();
    assert_eq!((pages.len(), with_values), (29, 3));
    // the token's revocation check, the indicator(s), the pages and their counts, the
    // values' indicators and areas
    assert_eq!((for_one, for_all), (6, 6), "statements for one indicator's page and for all");

    // Without `totalCount` nothing is counted: one statement fewer, the same pages.
    let uncounted =
        "{ indicators { code observations(first: 2) { edges { node { value indicator { code } area { name } } } } } }";
    let (statements_uncounted, uncounted_data) = measure(uncounted.to_owned()).await;
    assert_eq!(statements_uncounted, 5, "statements for every page without counts");
    let edges = |data: &Value| -> Vec<Value> {
        data["indicators"].as_array().into_iter().flatten().map(|i| i["observations"]["edges"].clone()).collect()
    };
    assert_eq!(edges(&uncounted_data), edges(&all_data));

    // Cells: as many statements for a province's 99 communes over three years as for one
    // unit in one year, and a plan's scorecard for every plan as for one.
    let cells = |areas: &str, periods: &str| {
        format!(
            r#"{{ cells(indicatorCodes: ["SEX_RATIO_AT_BIRTH", "ADOLESCENT_BIRTH_RATE"], {areas}, periods: {periods}) {{
                 area {{ code }} period value derived status indicator {{ code }} }} }}"#
        )
    };
    let (for_one, one_data) = measure(cells(r#"areaCodes: ["216"]"#, r#"["2024"]"#)).await;
    let (for_many, many_data) =
        measure(cells(r#"childrenOf: "24", level: COMMUNE"#, r#"["2023", "2024", "2025"]"#)).await;
    assert_eq!(one_data["cells"].as_array().map(Vec::len), Some(2));
    assert_eq!(many_data["cells"].as_array().map(Vec::len), Some(2 * 99 * 3));
    assert!(one_data["cells"][0]["value"].is_number(), "{one_data}");
    // the token's revocation check, the indicators (checked, then read with the values),
    // the areas (by code, or the province's and then its children), the units around them
    // (five), the values
    assert_eq!(for_one, 10, "statements for one cell");
    assert_eq!(for_many, 11, "statements for 594 cells: one more to read the province, then its communes");

    let scorecard = "scorecard(period: \"2024\") { met notMet noData objectives { objective { code } met } }";
    let (for_one, one_data) = measure(format!(r#"{{ plan(code: "tan-yen-bdg-2021-2025") {{ {scorecard} }} }}"#)).await;
    let (for_all, all_data) = measure(format!("{{ plans {{ {scorecard} }} }}")).await;
    // The sex ratio at birth of 50 pushed above meets "at most 115".
    assert_eq!(one_data["plan"]["scorecard"]["met"], 1, "{one_data}");
    assert_eq!(all_data["plans"].as_array().map(Vec::len), Some(10));
    assert_eq!(for_all, for_one, "scorecards: {for_all} statements for all plans, {for_one} for one");
}
