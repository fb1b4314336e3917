//! Counters an operator scrapes from `/metrics` (Prometheus text): requests and their
//! latency by GraphQL operation (or route) and outcome, rows pushed by result, requests
//! refused by reason, and the database pool's use. One registry per server: nothing global.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::domain::push::ImportSummary;
use crate::error::Rejection;
use crate::store::Store;

/// Operation names are chosen by clients: past this many distinct ones, new names are
/// counted as `other`, so a client cannot grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;

/// The `outcome` of a request that answered no error; any other is an
/// [`ErrorCode`](crate::error::ErrorCode)'s name.
pub const OUTCOME_OK: &str = "OK";

/// What a handler tells the metrics about its request: the GraphQL operation it ran and
/// how that went, where the route and the status would not say.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub operation: String,
    /// [`OUTCOME_OK`], or the first error's code.
    pub outcome: String,
    /// Set when the request was refused before any operation ran.
    pub rejected: Option<Rejection>,
}

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    rows_pushed: IntCounterVec,
    rejected: IntCounterVec,
    pool: IntGaugeVec,
    operation_names: Mutex<HashSet<String>>,
    store: Arc<dyn Store>,
}

impl Metrics {
    pub fn new(store: Arc<dyn Store>) -> Metrics {
        let registry = Registry::new_custom(Some("gdh".to_owned()), None).unwrap_or_default();
        let requests = IntCounterVec::new(
            Opts::new("requests_total", "HTTP requests by GraphQL operation (or route) and outcome"),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("request_duration_seconds", "Time to answer a request, by operation and outcome"),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let rows_pushed = IntCounterVec::new(
            Opts::new("rows_pushed_total", "Rows of pushes that were committed, by result"),
            &["result"],
        )
        .expect("valid metric");
        let rejected =
            IntCounterVec::new(Opts::new("rejected_requests_total", "Requests refused, by reason"), &["reason"])
                .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database connections: open, idle, in use, and the most allowed"),
            &["state"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(rows_pushed.clone()),
            Box::new(rejected.clone()),
            Box::new(pool.clone()),
        ] {
            // Names are fixed and distinct: registering cannot clash.
            let _ = registry.register(metric);
        }
        Metrics {
            registry,
            requests,
            latency,
            rows_pushed,
            rejected,
            pool,
            operation_names: Mutex::new(HashSet::new()),
            store,
        }
    }

    /// Counts one answered request.
    pub fn observe(&self, operation: &str, outcome: &str, rejected: Option<Rejection>, took: Duration) {
        let operation = self.operation_label(operation);
        self.requests.with_label_values(&[operation.as_str(), outcome]).inc();
        self.latency.with_label_values(&[operation.as_str(), outcome]).observe(took.as_secs_f64());
        if let Some(reason) = rejected {
            self.rejected.with_label_values(&[reason.as_str()]).inc();
        }
    }

    /// Counts the rows of a committed push (a dry run or a replayed answer wrote nothing
    /// and counts nothing).
    pub fn pushed(&self, summary: &ImportSummary) {
        if summary.dry_run || summary.replayed {
            return;
        }
        for (result, rows) in [
            ("created", summary.created),
            ("updated", summary.updated),
            ("unchanged", summary.unchanged),
            ("rejected", summary.rejected),
        ] {
            self.rows_pushed.with_label_values(&[result]).inc_by(rows as u64);
        }
    }

    /// The text Prometheus scrapes.
    pub fn render(&self) -> String {
        let pool = self.store.pool_use();
        for (state, value) in [
            ("open", pool.open),
            ("idle", pool.idle),
            ("in_use", pool.open.saturating_sub(pool.idle)),
            ("max", pool.max),
        ] {
            self.pool.with_label_values(&[state]).set(i64::from(value));
        }
        let mut text = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(text).unwrap_or_default()
    }

    /// `name` is a route or a GraphQL name the handler has already checked (`(invalid)`
    /// otherwise); what is left to bound is how many there are.
    fn operation_label(&self, name: &str) -> String {
        let mut names = match self.operation_names.lock() {
            Ok(names) => names,
            Err(poisoned) => poisoned.into_inner(),
        };
        if names.contains(name) || names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }
}
