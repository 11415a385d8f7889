"""CORS at the gateway, with real preflights: the configured origin (tests/conftest.py) may call the
API and the presigned /s3/ URLs; any other origin gets no CORS header at all, so browsers refuse."""

from typing import Any

import httpx
import pytest

from tests.conftest import TEST_CORS_ORIGIN
from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack

OTHER_ORIGIN = "https://evil.example"
REQUEST_HEADERS = "authorization, content-type, idempotency-key, if-match, last-event-id"


def preflight(origin: str, method: str, headers: str = REQUEST_HEADERS) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


@pytest.mark.parametrize(
    ("path", "method"), [("/scores", "POST"), ("/sync/stream", "GET"), ("/setlists/x", "PATCH")]
)
async def test_a_preflight_from_the_configured_origin_succeeds(api: ApiClient, path: str, method: str):
    response = await api.http.options(path, headers=preflight(TEST_CORS_ORIGIN, method))
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == TEST_CORS_ORIGIN
    assert "Origin" in response.headers["vary"]
    assert method in response.headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in REQUEST_HEADERS.split(",")} | {
        "x-request-id",
        "traceparent",
        "if-none-match",
    } <= allowed
    assert int(response.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in response.headers  # bearer tokens, no cookies


async def test_a_preflight_from_another_origin_is_refused_without_cors_headers(api: ApiClient):
    response = await api.http.options("/scores", headers=preflight(OTHER_ORIGIN, "POST"))
    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_answers_carry_cors_headers_for_the_configured_origin_only(api: ApiClient):
    user = await api.register()
    mine = await api.http.get("/scores", headers={**user.headers, "Origin": TEST_CORS_ORIGIN})
    assert mine.status_code == 200
    assert mine.headers["access-control-allow-origin"] == TEST_CORS_ORIGIN
    exposed = {h.strip() for h in mine.headers["access-control-expose-headers"].split(",")}
    assert {"ETag", "Location", "X-Request-ID", "traceparent", "Idempotent-Replayed"} <= exposed
    theirs = await api.http.get("/scores", headers={**user.headers, "Origin": OTHER_ORIGIN})
    assert theirs.status_code == 200
    assert cors_headers(theirs) == {}
    # Errors the gateway answers itself are readable by the page too.
    missing = await api.http.get("/no-such-thing", headers={"Origin": TEST_CORS_ORIGIN})
    assert missing.status_code == 404
    assert missing.headers["access-control-allow-origin"] == TEST_CORS_ORIGIN
    # Without an Origin (not a browser), nothing changes.
    plain = await api.http.get("/scores", headers=user.headers)
    assert cors_headers(plain) == {}


async def test_a_browser_may_put_a_presigned_upload_through_the_gateway(api: ApiClient):
    user = await api.register()
    data = corpus_manifest()["bach_chorale-bwv227-1.pdf"].path.read_bytes()
    upload: dict[str, Any] = (await api.request_upload(user, data)).json()
    url = upload["url"]
    path = url[url.index("/s3/") :]
    checked = await api.http.options(path, headers=preflight(TEST_CORS_ORIGIN, "PUT", "content-type"))
    assert checked.status_code == 204
    assert checked.headers["access-control-allow-origin"] == TEST_CORS_ORIGIN
    async with httpx.AsyncClient(timeout=60) as raw:
        put = await raw.put(url, headers={**upload["headers"], "Origin": TEST_CORS_ORIGIN}, content=data)
    assert put.status_code == 200, put.text
    # Exactly one Allow-Origin (storage adds none of its own), and the part's ETag readable.
    assert put.headers.get_list("access-control-allow-origin") == [TEST_CORS_ORIGIN]
    assert "ETag" in put.headers["access-control-expose-headers"]
    refused = await api.http.options(path, headers=preflight(OTHER_ORIGIN, "PUT", "content-type"))
    assert refused.status_code == 403
    assert cors_headers(refused) == {}
