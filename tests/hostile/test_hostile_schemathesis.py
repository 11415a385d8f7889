"""Schemathesis against the gateway's merged OpenAPI document (docs/openapi.json, what clients are
generated from), authenticated, through the gateway: whatever it sends, no 5xx, and every answer's
status, media type and body are ones the document declares.

(Schemathesis's pytest plugin does not run under pytest 9 yet, so cases are drawn from each
operation's Hypothesis strategy here and checked with Schemathesis's own checks.)"""

import uuid
import warnings

import httpx
import pytest
import schemathesis
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scoremate_stack.openapi import MERGED_DOCUMENT

pytestmark = pytest.mark.stack

TAGS = ("auth", "files", "scores", "setlists", "tasks", "billing", "sync", "exports", "imports", "admin")
EXAMPLES_PER_OPERATION = 12
# Every status, media type and body the document declares, and only those: what a generated
# client relies on.
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("tag", TAGS)
def test_fuzzed_calls_never_fail_on_the_server_nor_break_the_document(tag: str, stack):
    email = f"fuzz-{uuid.uuid4().hex[:10]}@example.com"
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        assert (
            http.post("/auth/register", json={"email": email, "password": "fuzzing password"}).status_code
            == 201
        )
        token = http.post("/auth/login", json={"email": email, "password": "fuzzing password"}).json()[
            "access_token"
        ]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_path(MERGED_DOCUMENT)
    failures: dict[str, None] = {}  # distinct failures, in the order found
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails the test loudly
        if tag not in operation.definition.raw.get("tags", []):
            continue
        if (operation.method.upper(), operation.path) == ("DELETE", "/auth/me"):
            continue  # would only turn the rest into 401s
        if operation.path == "/sync/stream":
            continue  # an open stream never ends (tests/test_sync_stream.py covers it)
        checks = [not_a_server_error, *CONFORMANCE]
        if operation.path == "/tasks/run-layout":
            # The contract's own 503: no layout service is configured on the test stack.
            checks = CONFORMANCE
        strategy = operation.as_strategy()
        for _ in range(EXAMPLES_PER_OPERATION):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NonInteractiveExampleWarning)
                case = strategy.example()
            calls += 1
            try:
                case.call_and_validate(
                    base_url=stack.gateway_url,
                    headers=headers,
                    checks=checks,
                    timeout=30,
                )
            except BaseException as failure:  # Schemathesis raises a group of every failed check
                if not isinstance(failure, Exception | BaseExceptionGroup):
                    raise
                failures.setdefault(f"{operation.method.upper()} {operation.path}: {_summary(failure)}")
    assert calls > 0
    assert not failures, "\n".join(list(failures)[:20])


def _summary(failure: BaseException) -> str:
    """The check's name, what was received and how to reproduce it."""
    lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
    named = [line for line in lines if line.startswith(("- ", "Received", "curl "))]
    return " | ".join(named) or lines[0]
