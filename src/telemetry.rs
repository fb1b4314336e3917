//! What operators see of a running server: log lines (text or JSON) on stderr, each inside
//! its request's span and so carrying the request id; and, when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, the same spans (request → GraphQL operation →
//! store call) sent to an OpenTelemetry collector over OTLP/HTTP.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::LogFormat;

const SERVICE: &str = "gender-data-hub";
/// What is logged without `RUST_LOG`, and what is exported always: sqlx's per-statement
/// events stay out (the store's spans already name each call).
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

/// The layer that turns this crate's spans into OpenTelemetry spans. sqlx's own per-statement
/// events (debug) stay out: the store's spans already name each call.
pub fn span_layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer(SERVICE)).with_filter(EnvFilter::new(DEFAULT_FILTER))
}
