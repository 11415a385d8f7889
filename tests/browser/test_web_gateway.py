"""The gateway serves the pages beside the API without taking any of its paths: the app at exactly /,
the console at exactly /admin/, their files under /assets/; every API path, and every unknown
one, answers as before (an API 404 stays problem+json)."""

import re
import uuid

import pytest

from scoremate_stack.gateway import WEB_CONTENT_SECURITY_POLICY
from tests.support import ApiClient

pytestmark = pytest.mark.stack


async def test_the_app_and_the_console_are_served_with_their_policy(api: ApiClient, web_build):
    pages = (("/", "ScoreMate"), ("/admin/", "ScoreMate admin console"), ("/verify-email", "ScoreMate"))
    for path, title in pages:
        page = await api.http.get(path, params={"token": "x"} if path == "/verify-email" else None)
        assert page.status_code == 200, path
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert f"<title>{title}</title>" in page.text
        assert page.headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
        assert page.headers["cache-control"] == "no-cache"
        assert page.headers["x-request-id"]
        # Module scripts from the gateway only, no inline code (the policy would refuse it).
        scripts = re.findall(r"<script[^>]*>", page.text)
        assert scripts
        assert all(re.search(r'type="module"[^>]* src="/assets/[^"]+\.js"', s) for s in scripts)
        for asset in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text):
            answer = await api.http.get(asset)
            assert answer.status_code == 200, asset
            assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
            if asset.endswith(".js"):
                assert answer.headers["content-type"] == "text/javascript"
    moved = await api.http.get("/admin")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/admin/"


@pytest.mark.parametrize(
    "path",
    ["/admin/users", "/admin/tasks", "/admin/files", "/admin/access-log", "/admin/dead-letters/billing"],
)
async def test_the_admin_api_keeps_its_paths_beside_the_console(api: ApiClient, path: str):
    answer = await api.http.get(path)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_unknown_paths_stay_problem_404s(api: ApiClient):
    user = await api.register()
    for path in ("/nope", "/index.html", "/admin/nope", "/assets/nope.js", "/library/x", "/app"):
        answer = await api.http.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("application/problem+json"), path
        assert answer.json()["status"] == 404
    missing = await api.http.get(f"/scores/{uuid.uuid4()}", headers=user.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
