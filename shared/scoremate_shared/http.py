"""ASGI middleware: request id, server span with W3C traceparent, per-route metrics."""

import re
import time
import uuid
from typing import Any

from opentelemetry import propagate, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoremate_shared.telemetry import metrics
from scoremate_shared.telemetry.logs import request_id_var

tracer = trace.get_tracer("scoremate.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# W3C trace context and baggage (the propagators set up by default) and our request id.
_PROPAGATED = frozenset({b"traceparent", b"tracestate", b"baggage", b"x-request-id"})


def _traceparent(span: trace.Span) -> str | None:
    ctx = span.get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


class RequestContextMiddleware:
    """Echoes or assigns X-Request-ID, opens the server span and records route metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Only the headers this needs, decoded: cheaper than a dict of all of them.
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _PROPAGATED
        }
        given = carrier.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        method = scope["method"]
        status = 500
        started = time.perf_counter()
        token = request_id_var.set(request_id)
        with tracer.start_as_current_span(
            f"{method} {scope['path']}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "scoremate.request_id": request_id},
        ) as span:
            traceparent = _traceparent(span)

            async def send_with_ids(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers: list[Any] = list(message.get("headers", []))
                    headers.append((b"x-request-id", request_id.encode()))
                    if traceparent:
                        headers.append((b"traceparent", traceparent.encode()))
                    message["headers"] = headers
                await send(message)

            try:
                await self.app(scope, receive, send_with_ids)
            finally:
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(trace.StatusCode.ERROR)
                elapsed = time.perf_counter() - started
                metrics.http_requests.labels(method, route, str(status)).inc()
                metrics.http_request_seconds.labels(method, route).observe(elapsed)
                request_id_var.reset(token)
