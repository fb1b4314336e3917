//! Pushing values and reviewing them, as the statistics office and agencies do: the push,
//! approve and reject mutations, and helpers in the words of the tests.

use serde_json::{json, Value};

use super::app::TestApp;
pub use super::push_mutation::PUSH;

/// Approves values by id; answers each with its status and revision.
pub const APPROVE: &str = "mutation($ids: [ID!]!) { approveObservations(ids: $ids) { id status revision } }";

/// Rejects values by id, for `$reason`; answers each with its status.
pub const REJECT: &str =
    "mutation($ids: [ID!]!, $reason: String!) { rejectObservations(ids: $ids, reason: $reason) { id status } }";

/// One row of a push.
pub fn obs(indicator: &str, area: &str, period: &str, sex: &str, value: f64) -> Value {
    json!({ "indicatorCode": indicator, "areaCode": area, "period": period, "sex": sex, "value": value })
}

/// Births of 2025 (code, boys, girls) in the five new communes that took over Huyện Yên
/// Thế (215) whole: 500 boys per 440 girls in all.
pub const YEN_THE_2025: [(&str, f64, f64); 5] = [
    ("07246", 100.0, 90.0),
    ("07264", 110.0, 100.0),
    ("07282", 120.0, 100.0),
    ("07288", 90.0, 80.0),
    ("07294", 80.0, 70.0),
];

/// The variables of `PUSH` for these rows, with no options.
pub fn push_input(rows: impl Into<Value>) -> Value {
    json!({ "input": { "observations": rows.into() } })
}

/// (created, updated, unchanged, rejected) of a push's summary.
pub fn counts(summary: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| summary[k].as_i64().unwrap_or(-1);
    (n("created"), n("updated"), n("unchanged"), n("rejected"))
}

/// (row, code) of each error of a push's summary.
pub fn error_codes(summary: &Value) -> Vec<(i64, String)> {
    summary["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["row"].as_i64().unwrap_or(-1), e["code"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

impl TestApp {
    /// Pushes rows, which must be answered; the summary.
    pub async fn push(&self, token: &str, rows: impl Into<Value>) -> Value {
        self.push_with(token, rows, json!({})).await
    }

    /// Pushes rows with options (`atomic`, `dryRun`, `idempotencyKey`); the summary.
    pub async fn push_with(&self, token: &str, rows: impl Into<Value>, options: Value) -> Value {
        let mut input = json!({ "observations": rows.into() });
        if let (Some(input), Some(options)) = (input.as_object_mut(), options.as_object()) {
            input.extend(options.clone());
        }
        self.data(token, PUSH, json!({ "input": input })).await["submitObservations"].clone()
    }

    /// The ids of the values the caller reads under `filter` (null: all), first page.
    pub async fn observation_ids(&self, token: &str, filter: Value) -> Vec<Value> {
        let query = "query($filter: ObservationFilter) { observations(filter: $filter) { edges { node { id } } } }";
        let ids = self.data(token, query, json!({ "filter": filter })).await;
        ids["observations"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect()
    }

    /// Approves the values of these ids, which must succeed; the data.
    pub async fn approve(&self, token: &str, ids: impl Into<Value>) -> Value {
        self.data(token, APPROVE, json!({ "ids": ids.into() })).await
    }

    /// Rejects the values of these ids for `reason`, which must succeed; the data.
    pub async fn reject(&self, token: &str, ids: impl Into<Value>, reason: &str) -> Value {
        self.data(token, REJECT, json!({ "ids": ids.into(), "reason": reason })).await
    }
}
