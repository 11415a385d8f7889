"""OpenTelemetry tracer provider: real trace ids always, exported over OTLP/HTTP when configured."""

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from sqlalchemy.ext.asyncio import AsyncEngine

_configured = False


def otlp_traces_url(endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL; traces go to /v1/traces."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else f"{endpoint}/v1/traces"


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    global _configured
    if _configured:
        return
    resource = Resource.create({"service.name": service})
    # With nowhere to send spans, none is recorded: trace and span ids are still made (logs,
    # traceparent and X-Request-ID keep them) without the cost of building spans nobody reads.
    # Otherwise the SDK's default, or OTEL_TRACES_SAMPLER when the operator sets one.
    provider = (
        TracerProvider(resource=resource)
        if otlp_endpoint
        else TracerProvider(resource=resource, sampler=ALWAYS_OFF)
    )
    if otlp_endpoint:
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_traces_url(otlp_endpoint)))
        )
    trace.set_tracer_provider(provider)
    _configured = True


def trace_database(engine: AsyncEngine) -> None:
    """A span for every statement of this engine."""
    # Its declared range stops at SQLAlchemy 2.0; the engine events it uses are unchanged in 2.1.
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, enable_commenter=False, skip_dep_check=True
    )


def shutdown_tracing() -> None:
    """Flush the spans still queued (a stopping service must not lose its last spans)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis=2000)
