"""The gateway's API reference: /openapi.json is the committed merged document (what clients are
generated from), and /docs shows it with Swagger UI, bundled into the web build (nothing is loaded
from outside the gateway)."""

import json

import pytest

from scoremate_stack.config import SERVICES
from scoremate_stack.gateway import DOCS_CONTENT_SECURITY_POLICY
from scoremate_stack.openapi import MERGED_DOCUMENT
from tests.browser.conftest import Journey
from tests.support import ApiClient

pytestmark = pytest.mark.stack


async def test_the_merged_document_is_served_as_committed(api: ApiClient, web_build):
    answer = await api.http.get("/openapi.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == json.loads(MERGED_DOCUMENT.read_text())
    page = await api.http.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
    for service in SERVICES:
        assert f'href="/docs/{service}/asyncapi.json"' in page.text


async def test_the_reference_page_shows_every_operation(journey: Journey):
    page = journey.page
    await page.goto(f"{journey.gateway_url}/docs")
    await page.locator(".opblock").first.wait_for()
    document = json.loads(MERGED_DOCUMENT.read_text())
    operations = sum(len(item) for item in document["paths"].values())
    assert await page.locator(".opblock").count() == operations
    await page.get_by_text("/scores/{score_id}", exact=True).first.wait_for()
    await journey.step("reference")
    assert await journey.csp_violations() == []
    assert journey.foreign_requests() == []
