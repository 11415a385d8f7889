"""Hostile input by hand: NUL characters, oversized and malformed bodies, wrong content types,
SQL and path-traversal strings. Always a clear 4xx, never a 5xx, nothing stored that should not be."""

import pytest

from tests.support import ApiClient

pytestmark = pytest.mark.stack

NASTY = ["'; DROP TABLE scores; --", "../../../etc/passwd", "%00", "<script>alert(1)</script>", "💥" * 100]


async def test_nul_characters_are_refused_not_a_server_error(api: ApiClient):
    user = await api.register()
    login = await api.http.post("/auth/login", json={"email": "a\u0000b@example.com", "password": "x" * 8})
    assert login.status_code in (401, 422)
    setlist = await api.http.post("/setlists", headers=user.headers, json={"title": "gig\u0000"})
    assert setlist.status_code == 422
    assert setlist.headers["content-type"] == "application/problem+json"
    assert (await api.http.get("/setlists", headers=user.headers)).json()["total"] == 0


async def test_oversized_malformed_and_mistyped_bodies(api: ApiClient):
    user = await api.register()
    huge = await api.http.post(
        "/setlists",
        headers={**user.headers, "Content-Type": "application/json"},
        content=b'{"title": "' + b"x" * 2_000_000 + b'"}',
    )
    assert huge.status_code == 413
    malformed = await api.http.post(
        "/setlists", headers={**user.headers, "Content-Type": "application/json"}, content=b'{"title": '
    )
    assert malformed.status_code == 422
    mistyped = await api.http.post(
        "/setlists", headers={**user.headers, "Content-Type": "text/plain"}, content=b"title=x"
    )
    assert mistyped.status_code == 422
    long_query = await api.http.get("/scores", headers=user.headers, params={"query": "x" * 5000})
    assert long_query.status_code in (414, 422)


async def test_sql_and_traversal_strings_are_plain_text(api: ApiClient):
    user = await api.register()
    for nasty in NASTY:
        created = await api.http.post("/setlists", headers=user.headers, json={"title": nasty[:200]})
        assert created.status_code == 201, nasty
        assert created.json()["title"] == nasty[:200].strip()
        search = await api.http.get("/scores", headers=user.headers, params={"query": nasty[:200]})
        assert search.status_code == 200
        assert search.json()["total"] == 0
    assert (await api.http.get("/setlists", headers=user.headers)).json()["total"] == len(NASTY)
