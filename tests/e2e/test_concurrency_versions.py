"""Issue 14, concurrency through the gateway: scores and setlists carry a version, sent as a strong
ETag; a stale If-Match is 412 and changes nothing; If-None-Match answers 304; two devices racing
with one ETag cannot both win."""

import asyncio

import httpx
import pytest

from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack

ONE_PAGE = "bach_chorale-bwv244-10.pdf"


async def _setlist(api: ApiClient, user: User, title: str = "Friday gig") -> httpx.Response:
    created = await api.http.post("/setlists", headers=user.headers, json={"title": title})
    assert created.status_code == 201, created.text
    return created


async def test_a_stale_if_match_gets_412_and_changes_nothing(api: ApiClient):
    user = await api.register()
    created = await _setlist(api, user)
    url, etag = created.headers["location"], created.headers["etag"]
    assert etag == '"1"'
    # Another device renames it (without If-Match: the contract's behaviour stands).
    assert (await api.http.patch(url, headers=user.headers, json={"title": "Saturday"})).status_code == 200

    stale = {**user.headers, "If-Match": etag}
    for refused in (
        await api.http.patch(url, headers=stale, json={"title": "Friday, late"}),
        await api.http.post(f"{url}/items", headers=stale, json={"score_ids": []}),
        await api.http.delete(url, headers=stale),
        await api.http.patch(url, headers={**user.headers, "If-Match": '"bogus"'}, json={"title": "x"}),
    ):
        assert refused.status_code == 412, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/precondition-failed")
    current = await api.http.get(url, headers=user.headers)
    assert (current.json()["title"], current.json()["version"]) == ("Saturday", 2)
    assert current.headers["etag"] == '"2"'
    fresh = {**user.headers, "If-Match": current.headers["etag"]}
    assert (await api.http.delete(url, headers=fresh)).status_code == 204


async def test_if_none_match_gets_304_until_the_resource_changes(api: ApiClient):
    user = await api.register()
    score = await api.upload_score(user, corpus_manifest()[ONE_PAGE].path.read_bytes(), "Chorale")
    ready = await api.wait_for_score(user, score["id"])
    # Every step of processing was a change the client could see: a new version each.
    assert ready["status"] == "ready"
    assert ready["version"] > 1

    url = f"/scores/{score['id']}"
    read = await api.http.get(url, headers=user.headers)
    assert read.headers["etag"] == f'"{read.json()["version"]}"'
    cached = await api.http.get(url, headers={**user.headers, "If-None-Match": read.headers["etag"]})
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", read.headers["etag"])

    edited = await api.http.patch(
        url, headers={**user.headers, "If-Match": read.headers["etag"]}, json={"note": "da capo"}
    )
    assert edited.status_code == 200
    changed = await api.http.get(url, headers={**user.headers, "If-None-Match": read.headers["etag"]})
    assert changed.status_code == 200
    assert changed.json()["note"] == "da capo"
    assert changed.headers["etag"] == edited.headers["etag"] == f'"{ready["version"] + 1}"'
    listed = (await api.http.get("/scores", headers=user.headers)).json()["items"]
    assert [item["version"] for item in listed] == [ready["version"] + 1]

    created = await _setlist(api, user)
    setlist_url = created.headers["location"]
    cached_setlist = await api.http.get(
        setlist_url, headers={**user.headers, "If-None-Match": created.headers["etag"]}
    )
    assert cached_setlist.status_code == 304


async def test_two_devices_racing_with_one_etag_cannot_both_win(api: ApiClient, stack):
    user = await api.register()
    score = await api.upload_score(user, corpus_manifest()[ONE_PAGE].path.read_bytes(), "Chorale")
    created = await _setlist(api, user)
    url, etag = created.headers["location"], created.headers["etag"]

    async with (
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as phone,
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as tablet,
    ):
        for _ in range(5):
            current = await api.http.get(url, headers=user.headers)
            etag = current.headers["etag"]
            headers = {**user.headers, "If-Match": etag}
            outcomes = await asyncio.gather(
                phone.patch(url, headers=headers, json={"title": "Phone's"}),
                tablet.post(f"{url}/items", headers=headers, json={"score_ids": [score["id"]]}),
            )
            assert sorted(o.status_code for o in outcomes) == [200, 412], [o.text for o in outcomes]
            after = await api.http.get(url, headers=user.headers)
            assert after.json()["version"] == int(etag.strip('"')) + 1
