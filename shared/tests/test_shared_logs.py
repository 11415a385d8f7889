import json
import logging

from opentelemetry import trace

from scoremate_shared.telemetry.logs import JsonFormatter, request_id_var
from scoremate_shared.telemetry.tracing import configure_tracing


def _line(formatter: JsonFormatter, message: str) -> dict:
    record = logging.LogRecord("scoremate.test", logging.INFO, __file__, 1, message, None, None)
    return json.loads(formatter.format(record))


def test_a_log_line_carries_service_trace_span_and_request_ids():
    configure_tracing("test", None)
    formatter = JsonFormatter("library")
    token = request_id_var.set("req-42")
    try:
        with trace.get_tracer("test").start_as_current_span("work") as span:
            line = _line(formatter, "hello")
            context = span.get_span_context()
    finally:
        request_id_var.reset(token)
    assert line["service"] == "library"
    assert line["message"] == "hello"
    assert line["request_id"] == "req-42"
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")


def test_outside_a_request_there_is_no_request_id():
    line = _line(JsonFormatter("files"), "background")
    assert "request_id" not in line
    assert line["level"] == "info"
