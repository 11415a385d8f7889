"""Schemathesis against every service's OpenAPI, authenticated, through the gateway: whatever it
sends, no 5xx and no response that breaks its own documented schema.

(Schemathesis's pytest plugin does not run under pytest 9 yet, so cases are drawn from each
operation's Hypothesis strategy here and checked with Schemathesis's own checks.)"""

import uuid
import warnings

import httpx
import pytest
import schemathesis
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.stack

SERVICES = ("auth", "files", "library", "processor", "billing")
EXAMPLES_PER_OPERATION = 12


@pytest.mark.parametrize("service", SERVICES)
def test_fuzzed_calls_never_fail_on_the_server_nor_break_their_schema(service: str, stack):
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
    schema = schemathesis.openapi.from_url(f"{stack.gateway_url}/docs/{service}/openapi.json")
    failures = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails the test loudly
        if (operation.method.upper(), operation.path) == ("DELETE", "/auth/me"):
            continue  # would only turn the rest into 401s
        checks = [not_a_server_error, response_schema_conformance]
        if operation.path == "/tasks/run-layout":
            # The contract's own 503: no layout service is configured on the test stack.
            checks = [response_schema_conformance]
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
            except Exception as failure:
                failures.append(f"{operation.method.upper()} {operation.path}: {str(failure)[:300]}")
    assert calls > 0
    assert not failures, "\n".join(failures[:10])
