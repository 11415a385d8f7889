"""Scores and files calls through the gateway: search, tags, edits, duplicates, downloads,
deletion end to end, metadata from the PDF, the reservation sweeper."""

import asyncio
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import (
    CORPUS,
    ApiClient,
    User,
    corpus_manifest,
    image_bytes,
    list_objects,
    usage_reaches,
)

pytestmark = pytest.mark.stack


def _distinct(name: str, salt: str) -> bytes:
    return corpus_manifest()[name].path.read_bytes() + f"\n% {salt}\n".encode()


async def _create(api: ApiClient, user: User, salt: str, **fields) -> dict:
    return await api.upload_score(user, _distinct("schoenberg_op19-6.pdf", salt), **fields)


async def test_search_is_partial_case_and_accent_insensitive_and_tags_filter(api: ApiClient):
    user = await api.register()
    humoresque = await _create(
        api, user, "1", title="Humoresque No. 7", composer="Antonín Dvořák", tags=["Romantic", "Piano"]
    )
    dance = await _create(api, user, "2", title="Slavonic Dance", composer="DVOŘÁK", tags=["romantic"])
    air = await _create(
        api, user, "3", title="Air", composer="J. S. Bach", note="from the orchestral suite no. 3"
    )

    async def ids(**params) -> list[str]:
        listing = await api.http.get("/scores", params=params, headers=user.headers)
        assert listing.status_code == 200
        return [item["id"] for item in listing.json()["items"]]

    assert sorted(await ids(query="dvorak")) == sorted([humoresque["id"], dance["id"]])
    assert await ids(query="humor") == [humoresque["id"]]
    assert await ids(query="DVOŘÁK humor") == [humoresque["id"]]
    assert await ids(query="orchestr") == [air["id"]]
    assert await ids(query="100%_") == []
    assert sorted(await ids(tag="ROMANTIC")) == sorted([humoresque["id"], dance["id"]])
    assert await ids(tag="piano", query="dvorak") == [humoresque["id"]]
    assert humoresque["tags"] == ["Romantic", "Piano"]
    page = (await api.http.get("/scores", params={"page_size": 2, "page": 2}, headers=user.headers)).json()
    assert (page["total"], page["page"], page["page_size"], len(page["items"])) == (3, 2, 2, 1)

    async def filtered(**params) -> tuple[int, int]:
        body = (await api.http.get("/scores", params=params, headers=user.headers)).json()
        return body["total"], len(body["items"])

    # A filtered page counts its matches with the page; past the end they are counted alone.
    assert await filtered(query="dvorak", page_size=1) == (2, 1)
    assert await filtered(query="dvorak", page_size=1, page=3) == (2, 0)
    assert await filtered(tag="romantic", page_size=1, page=2) == (2, 1)
    assert await filtered(tag="romantic", page=2) == (2, 0)
    assert await filtered(query="nothing-like-this") == (0, 0)
    # A counted search is counted again once the library changes.
    assert await filtered(query="dvorak") == (2, 2)
    third = await _create(api, user, "4", title="Rusalka", composer="Dvořák")
    assert await filtered(query="dvorak") == (3, 3)
    await api.http.patch(f"/scores/{third['id']}", headers=user.headers, json={"composer": "Antonín"})
    assert await filtered(query="dvorak") == (2, 2)
    assert (await api.http.delete(f"/scores/{dance['id']}", headers=user.headers)).status_code == 204
    assert await filtered(query="dvorak") == (1, 1)
    assert await filtered(tag="romantic") == (1, 1)
    assert (await api.http.get("/scores", params={"page_size": 101}, headers=user.headers)).status_code == 422
    assert (await api.http.get("/scores", params={"page": 0}, headers=user.headers)).status_code == 422


async def test_patch_and_ownership_on_every_score_endpoint(api: ApiClient):
    user, stranger = await api.register(), await api.register()
    score = await _create(api, user, "patch", title="Old", composer="Someone", tags=["a"])
    patched = await api.http.patch(
        f"/scores/{score['id']}",
        headers=user.headers,
        json={"title": "New", "composer": None, "tags": ["B", "b", " c "]},
    )
    assert patched.status_code == 200
    body = patched.json()
    assert (body["title"], body["composer"], body["tags"]) == ("New", None, ["B", "c"])
    assert (
        await api.http.patch(f"/scores/{score['id']}", headers=user.headers, json={"title": None})
    ).status_code == 422
    assert (
        await api.http.patch(f"/scores/{score['id']}", headers=user.headers, json={"title": "x" * 301})
    ).status_code == 422
    for method, body in (("GET", None), ("PATCH", {"title": "Mine"}), ("DELETE", None)):
        response = await api.http.request(
            method, f"/scores/{score['id']}", headers=stranger.headers, json=body
        )
        assert response.status_code == 404, method
    foreign_download = await api.http.get(
        "/files/download-url", params={"score_id": score["id"]}, headers=stranger.headers
    )
    assert foreign_download.status_code == 404
    assert (await api.http.get("/scores/not-a-uuid", headers=user.headers)).status_code == 422


async def test_duplicates_are_refused_per_user_never_across_users(api: ApiClient):
    user, other = await api.register(), await api.register()
    data = _distinct("ciconia_quod-jactatur.pdf", "dup")
    first = await api.upload_score(user, data, title="Canon")
    await api.wait_for_score(user, first["id"])
    again = await api.request_upload(user, data)
    assert again.status_code == 409
    assert again.json()["existing_score_id"] == first["id"]
    elsewhere = await api.request_upload(other, data)
    assert elsewhere.status_code == 201


async def test_upload_token_misuse(api: ApiClient):
    user, other = await api.register(), await api.register()
    data = _distinct("schoenberg_op19-2.pdf", "token")
    upload = (await api.request_upload(user, data)).json()
    await api.put_object(upload, data)
    stolen = await api.http.post(
        "/scores", headers=other.headers, json={"upload_token": upload["upload_token"], "title": "Mine now"}
    )
    assert stolen.status_code == 422
    forged = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": "x.y.z", "title": "T"}
    )
    assert forged.status_code == 422
    ok = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "T"}
    )
    assert ok.status_code == 201
    reused = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "T"}
    )
    assert reused.status_code == 409


async def test_upload_url_refusals(api: ApiClient):
    user = await api.register()
    base = {"filename": "a.pdf", "mime": "application/pdf", "content_hash": "ab" * 32}
    too_big = await api.http.post(
        "/files/upload-url", headers=user.headers, json=base | {"size_bytes": 201 * 1024 * 1024}
    )
    assert too_big.status_code == 413
    wrong_type = await api.http.post(
        "/files/upload-url", headers=user.headers, json=base | {"size_bytes": 10, "mime": "image/png"}
    )
    assert wrong_type.status_code == 415
    bad_hash = await api.http.post(
        "/files/upload-url", headers=user.headers, json=base | {"size_bytes": 10, "content_hash": "zz"}
    )
    assert bad_hash.status_code == 422
    traversal = await api.http.post(
        "/files/upload-url",
        headers=user.headers,
        json=base | {"size_bytes": 10, "filename": "../../etc/passwd"},
    )
    # The filename is only a label: the object key is the server's own.
    assert traversal.status_code == 201
    assert "etc/passwd" not in traversal.json()["url"]


async def test_download_urls_live_at_most_five_minutes(api: ApiClient):
    user = await api.register()
    score = await _create(api, user, "ttl", title="TTL")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    for params in ({"score_id": score["id"]}, {"score_id": score["id"], "page": 1}):
        link = (await api.http.get("/files/download-url", params=params, headers=user.headers)).json()
        expires_at = datetime.fromisoformat(link["expires_at"])
        assert 0 < (expires_at - datetime.now(UTC)).total_seconds() <= 300
        assert int(parse_qs(urlparse(link["url"]).query)["X-Amz-Expires"][0]) <= 300
        async with httpx.AsyncClient() as raw:
            assert (await raw.get(link["url"])).status_code == 200
    # The bucket itself is private.
    async with httpx.AsyncClient() as raw:
        bare = link["url"].split("?")[0]
        assert (await raw.get(bare)).status_code == 403


async def test_deleting_a_score_frees_its_objects_and_its_bytes(api: ApiClient, stack):
    user = await api.register()
    score = await _create(api, user, "delete", title="Gone soon")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    prefix = f"{user.id}/scores/{score['id']}/"
    keys = await list_objects(stack, prefix)
    assert any(k.endswith("original.pdf") for k in keys)
    assert any(k.endswith("cover.jpg") for k in keys)
    # The original and its cover and page images (API.md, `used_bytes`), all to be given back.
    images = await image_bytes(stack, user.id, score["id"])
    assert images > 0
    used = score["size_bytes"] + images
    assert (await usage_reaches(api, user, used))["used_bytes"] == used

    assert (await api.http.delete(f"/scores/{score['id']}", headers=user.headers)).status_code == 204
    assert (await api.http.get(f"/scores/{score['id']}", headers=user.headers)).status_code == 404
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        usage = (await api.http.get("/billing/usage", headers=user.headers)).json()
        if usage["used_bytes"] == 0 and not await list_objects(stack, prefix):
            break
        await asyncio.sleep(0.2)
    assert await list_objects(stack, prefix) == []
    assert usage["used_bytes"] == 0
    assert usage["scores"] == 0


async def test_an_empty_composer_is_filled_from_the_pdf_author_but_a_set_one_never(api: ApiClient):
    user = await api.register()
    data = (CORPUS / "bad" / "metadata_non-ascii-nul-control-chars.pdf").read_bytes()
    filled = await api.upload_score(user, data, title="Intermezzo")
    filled = await api.wait_for_score(user, filled["id"])
    assert filled["status"] == "ready"
    assert filled["composer"].startswith("Johannes")
    assert "\x00" not in filled["composer"]
    assert filled["filled_from_pdf"] == ["composer"]
    kept = await api.upload_score(user, data + b"\n% again\n", title="Intermezzo", composer="Brahms")
    kept = await api.wait_for_score(user, kept["id"])
    assert (kept["composer"], kept["filled_from_pdf"]) == ("Brahms", [])


async def test_an_upload_never_claimed_is_swept_and_its_reservation_released(api: ApiClient, stack):
    user = await api.register()
    data = _distinct("schoenberg_op19-2.pdf", "sweep")
    upload = (await api.request_upload(user, data)).json()
    assert (await api.put_object(upload, data)).status_code == 200
    # The client's PUT lands on the upload's staging key; nothing is at the final key before the copy.
    key = f"staging/{user.id}/{upload['score_id']}.pdf"
    assert await list_objects(stack, key) == [key]
    assert await list_objects(stack, f"{user.id}/") == []
    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.begin() as conn:
            # As if the URL had expired an hour ago (longer than the grace period).
            await conn.execute(
                sa.text(
                    "UPDATE files.uploads SET expires_at = now() - interval '1 hour' WHERE score_id = :s"
                ),
                {"s": upload["score_id"]},
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and await list_objects(stack, key):
            await asyncio.sleep(0.2)
        assert await list_objects(stack, key) == []
        async with engine.connect() as conn:
            status = await conn.scalar(
                sa.text("SELECT status FROM files.uploads WHERE score_id = :s"), {"s": upload["score_id"]}
            )
        assert status == "released"
    finally:
        await engine.dispose()
    late = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "Late"}
    )
    assert late.status_code == 201
    assert (await api.wait_for_score(user, upload["score_id"]))["status"] == "failed"
