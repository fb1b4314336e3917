//! What operators see of a running server: log lines (text or JSON) on stderr, each inside
//! its request's span and so carrying the request id; and, when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, the same spans (request → GraphQL operation →
//! store call → SQL statement) sent to an OpenTelemetry collector over OTLP/HTTP.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::LogFormat;

const SERVICE: &str = "gender-data-hub";
/// What is logged without `RUST_LOG`, and what spans are exported: sqlx's per-statement
/// events stay out of the log, and become spans of their own (`StatementSpans`).
const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Keeps the span exporter alive; dropping it sends what is still buffered.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            if let Err(e) = provider.shutdown() {
                eprintln!("could not send the last spans: {e}");
            }
        }
    }
}

/// Installs logging, and span export when the standard OpenTelemetry variables ask for it
/// (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; headers and
/// timeout from their usual variables). `RUST_LOG` filters the log lines only: spans are
/// exported at `info` whatever the log level.
pub fn init(format: LogFormat) -> anyhow::Result<Telemetry> {
    let wants_export = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    let provider = if wants_export {
        let exporter = opentelemetry_otlp::SpanExporter::builder().with_http().build()?;
        Some(provider_with(exporter, true))
    } else {
        None
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let spans = provider.as_ref().map(span_layer);
    // A second init (tests calling the CLI twice) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(log_layer(format, std::io::stderr).with_filter(filter))
        .with(spans)
        .try_init();
    Ok(Telemetry { provider })
}

/// Log lines to `writer`: text for people, or one JSON object per line for collectors, with
/// the spans the line was written in (so `request_id`).
pub fn log_layer<S, W>(format: LogFormat, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    W: for<'writer> tracing_subscriber::fmt::MakeWriter<'writer> + Send + Sync + 'static,
{
    match format {
        LogFormat::Json => tracing_subscriber::fmt::layer().json().with_writer(writer).boxed(),
        LogFormat::Text => tracing_subscriber::fmt::layer().with_writer(writer).boxed(),
    }
}

/// A tracer provider named for this service around `exporter`; batched in production,
/// sent span by span in tests so nothing waits on a timer.
pub fn provider_with<E>(exporter: E, batched: bool) -> SdkTracerProvider
where
    E: opentelemetry_sdk::trace::SpanExporter + 'static,
{
    let resource = opentelemetry_sdk::Resource::builder().with_service_name(SERVICE).build();
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let builder = if batched { builder.with_batch_exporter(exporter) } else { builder.with_simple_exporter(exporter) };
    builder.build()
}

/// The layers that turn this crate's spans into OpenTelemetry spans (request → GraphQL
/// operation → store call), and each SQL statement a store call runs into a span under it.
pub fn span_layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let statements = tracing_subscriber::filter::Targets::new().with_target(SQLX_STATEMENTS, tracing::Level::DEBUG);
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer(SERVICE))
        .with_filter(EnvFilter::new(DEFAULT_FILTER))
        .and_then(StatementSpans { tracer: provider.tracer(SERVICE) }.with_filter(statements))
}

/// Where sqlx reports each statement it ran, as it finishes (a debug event: its text, rows
/// and time taken; never the values bound to it).
const SQLX_STATEMENTS: &str = "sqlx::query";

/// sqlx times every statement but opens no span for it: this layer makes a span of each
/// statement's closing event, from when it started (now − elapsed) to now, as a child of
/// the span it ran in (the store call: tracing-opentelemetry makes the entered span's
/// context the current one). A statement outside any span, such as the migrations run at
/// start, is not exported.
struct StatementSpans {
    tracer: opentelemetry_sdk::trace::SdkTracer,
}

impl<S: Subscriber> Layer<S> for StatementSpans {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer};
        use opentelemetry::KeyValue;

        let parent = opentelemetry::Context::current();
        if !parent.has_active_span() {
            return;
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        let end = std::time::SystemTime::now();
        let start = end.checked_sub(statement.elapsed).unwrap_or(end);
        // sqlx leaves the text empty when its four-word summary is the whole statement.
        let text = if statement.text.trim().is_empty() { statement.summary } else { statement.text.trim().to_owned() };
        let summary = query_summary(&text);
        let text = bounded(text, MAX_STATEMENT_TEXT);
        let mut attributes = vec![
            KeyValue::new("db.query.text", text),
            KeyValue::new("db.query.summary", summary.clone()),
            KeyValue::new("db.response.returned_rows", statement.rows_returned),
        ];
        if statement.rows_affected > 0 {
            attributes.push(KeyValue::new("db.response.affected_rows", statement.rows_affected));
        }
        let mut span = self
            .tracer
            .span_builder(summary)
            .with_kind(SpanKind::Client)
            .with_start_time(start)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        opentelemetry::trace::Span::end_with_timestamp(&mut span, end);
    }
}

/// The most of a statement's text a span carries: a staging insert of 2,000 rows is some
/// 70 KB of placeholders, and fifty of them would outgrow a collector's request limit.
const MAX_STATEMENT_TEXT: usize = 2_048;

/// `text` cut to at most `max` bytes on a character boundary, marked `…` where cut.
fn bounded(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// The fields of sqlx's statement event.
#[derive(Default)]
struct Statement {
    summary: String,
    text: String,
    rows_returned: i64,
    rows_affected: i64,
    elapsed: std::time::Duration,
}

impl tracing::field::Visit for Statement {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "summary" => value.clone_into(&mut self.summary),
            "db.statement" => value.clone_into(&mut self.text),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        let value = i64::try_from(value).unwrap_or(i64::MAX);
        match field.name() {
            "rows_returned" => self.rows_returned = value,
            "rows_affected" => self.rows_affected = value,
            _ => {}
        }
    }

    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed = std::time::Duration::try_from_secs_f64(value).unwrap_or_default();
        }
    }

    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

/// A statement's name in a trace, as OpenTelemetry's database conventions write it: the
/// operation and the table it reads or writes (`SELECT plans`, `INSERT observations`).
fn query_summary(sql: &str) -> String {
    let words: Vec<&str> =
        // The table comes within the first words even of a long SELECT.
        sql.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|w| !w.is_empty()).take(200).collect();
    let Some(operation) = words.first().and_then(|w| w.split('(').next()).map(str::to_ascii_uppercase) else {
        return "SQL".to_owned();
    };
    let after = match operation.as_str() {
        "INSERT" => Some("INTO"),
        "SELECT" | "DELETE" | "WITH" => Some("FROM"),
        "UPDATE" | "ANALYZE" => None,
        _ => return operation,
    };
    let table = match after {
        Some(keyword) => words.iter().skip_while(|w| !w.eq_ignore_ascii_case(keyword)).nth(1),
        None => words.get(1),
    };
    // `push_rows(a, b)` names push_rows; `(SELECT …)` names no table.
    let table = table.and_then(|t| t.split('(').next());
    match table.map(|t| t.trim_matches('"')).filter(|t| t.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.'))
    {
        Some(table) if !table.is_empty() => format!("{operation} {table}"),
        _ => operation,
    }
}

#[cfg(test)]
mod tests {
    use super::{bounded, query_summary};

    #[test]
    fn long_statements_are_cut_on_a_character_boundary() {
        assert_eq!(bounded("SELECT 1".to_owned(), 2_048), "SELECT 1");
        let long = format!("INSERT INTO push_rows VALUES {}", "(?, ?), ".repeat(10_000));
        let cut = bounded(long, 2_048);
        assert!(cut.len() <= 2_048 + '…'.len_utf8() && cut.ends_with('…'), "{}", cut.len());
        assert_eq!(bounded("Hương Trà".to_owned(), 2), "H…", "ư is two bytes: not split");
    }

    #[test]
    fn statements_are_named_by_operation_and_table() {
        assert_eq!(query_summary("SELECT code, name FROM plans WHERE id = $1"), "SELECT plans");
        assert_eq!(
            query_summary("\n  insert into observations (a, b) SELECT a, b FROM push_rows"),
            "INSERT observations"
        );
        assert_eq!(query_summary("UPDATE observations SET status = 'APPROVED'"), "UPDATE observations");
        assert_eq!(query_summary("DELETE FROM push_rows"), "DELETE push_rows");
        assert_eq!(query_summary("WITH t AS (SELECT 1) SELECT * FROM t"), "WITH t");
        assert_eq!(query_summary("SELECT 1"), "SELECT");
        assert_eq!(query_summary("SELECT x FROM (SELECT 1) AS s"), "SELECT");
        assert_eq!(query_summary("BEGIN"), "BEGIN");
        assert_eq!(query_summary("SELECT pg_advisory_xact_lock($1)"), "SELECT");
        assert_eq!(query_summary("ANALYZE observations"), "ANALYZE observations");
        assert_eq!(query_summary("INSERT INTO push_rows(a, b) VALUES ($1, $2)"), "INSERT push_rows");
        assert_eq!(query_summary("  "), "SQL");
    }
}
