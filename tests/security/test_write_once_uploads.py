"""Issue 11 row 3: uploads are write-once. A presigned PUT URL stays valid for its whole lifetime,
so it points at a staging key: whatever is PUT after the upload was rejected, verified or deleted
never lands on the score, is swept, and is counted by nobody. Reconciliation finds the rest."""

import asyncio
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.admin.test_admin_operations import make_admin
from tests.conftest import TEST_RECONCILE_GRACE_SECONDS
from tests.support import (
    ApiClient,
    User,
    admin_storage,
    corpus_manifest,
    image_bytes,
    list_objects,
    superuser_sql,
    usage_reaches,
)

pytestmark = pytest.mark.stack


def _pdf(tag: str) -> bytes:
    """A real PDF no other test uploads (duplicates of one user are refused)."""
    return (
        corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes() + f"\n% {tag} {uuid.uuid4()}\n".encode()
    )


def _same_length_other_bytes(data: bytes) -> bytes:
    forged = data[:-8] + b"%forged\n"
    assert len(forged) == len(data)
    assert forged != data
    return forged


async def _url_expired_an_hour_ago(stack, score_id: str) -> None:
    """As if the upload URL had expired long ago (the sweeper acts only after that)."""
    await superuser_sql(
        stack,
        "UPDATE files.uploads SET expires_at = now() - interval '1 hour' WHERE score_id = :s",
        s=score_id,
    )


async def _eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout}s")
        await asyncio.sleep(0.2)


async def _upload(api: ApiClient, user: User, data: bytes) -> dict[str, Any]:
    response = await api.request_upload(user, data)
    assert response.status_code == 201, response.text
    upload: dict[str, Any] = response.json()
    return upload


async def _create_score(api: ApiClient, user: User, upload: dict[str, Any], title: str) -> dict[str, Any]:
    created = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": title}
    )
    assert created.status_code == 201, created.text
    return await api.wait_for_score(user, upload["score_id"])


async def _usage(api: ApiClient, user: User) -> dict[str, Any]:
    usage: dict[str, Any] = (await api.http.get("/billing/usage", headers=user.headers)).json()
    return usage


async def _staging_swept(api: ApiClient, stack, user: User, score_id: str) -> None:
    """The URL's lifetime is over: the sweeper removes what is left at the staging key."""
    await _url_expired_an_hour_ago(stack, score_id)

    async def empty() -> bool:
        return await list_objects(stack, f"staging/{user.id}/") == []

    await _eventually(empty, "the staging object is still there")


async def test_a_put_after_the_upload_was_rejected_never_reaches_the_score(api: ApiClient, stack):
    user = await api.register()
    data = _pdf("rejected")
    upload = await _upload(api, user, data)
    assert (await api.put_object(upload, _same_length_other_bytes(data))).status_code == 200
    failed = await _create_score(api, user, upload, "Refused")
    assert failed["status"] == "failed"

    # The URL is still valid: the right bytes go up after the refusal.
    assert (await api.put_object(upload, data)).status_code == 200
    assert await list_objects(stack, f"{user.id}/") == []
    assert await list_objects(stack, f"staging/{user.id}/") == [f"staging/{user.id}/{upload['score_id']}.pdf"]
    link = await api.http.get(
        "/files/download-url", params={"score_id": upload["score_id"]}, headers=user.headers
    )
    assert link.status_code == 404

    await _staging_swept(api, stack, user, upload["score_id"])
    assert await list_objects(stack, f"{user.id}/") == []
    assert (await api.wait_for_score(user, upload["score_id"]))["status"] == "failed"
    assert (await _usage(api, user))["used_bytes"] == 0


async def test_a_put_after_verification_never_changes_the_verified_bytes(api: ApiClient, stack):
    user = await api.register()
    data = _pdf("verified")
    upload = await _upload(api, user, data)
    assert (await api.put_object(upload, data)).status_code == 200
    ready = await _create_score(api, user, upload, "Verified")
    assert ready["status"] == "ready", ready["error"]

    forged = _same_length_other_bytes(data)
    assert (await api.put_object(upload, forged)).status_code == 200

    async def downloaded() -> bytes:
        link = await api.http.get(
            "/files/download-url", params={"score_id": ready["id"]}, headers=user.headers
        )
        assert link.status_code == 200, link.text
        async with httpx.AsyncClient(timeout=30) as raw:
            response = await raw.get(link.json()["url"])
        assert response.status_code == 200
        return response.content

    assert await downloaded() == data
    await _staging_swept(api, stack, user, upload["score_id"])
    assert await downloaded() == data
    score = (await api.http.get(f"/scores/{ready['id']}", headers=user.headers)).json()
    assert score["content_hash"] == hashlib.sha256(data).hexdigest()
    # What was verified, and the images rendered from it (API.md, `used_bytes`).
    used = len(data) + await image_bytes(stack, user.id, ready["id"])
    assert (await usage_reaches(api, user, used))["used_bytes"] == used


async def test_a_put_after_the_score_was_deleted_never_brings_it_back(api: ApiClient, stack):
    user = await api.register()
    data = _pdf("deleted")
    upload = await _upload(api, user, data)
    assert (await api.put_object(upload, data)).status_code == 200
    ready = await _create_score(api, user, upload, "Deleted")
    assert ready["status"] == "ready", ready["error"]
    assert (await api.http.delete(f"/scores/{ready['id']}", headers=user.headers)).status_code == 204

    async def gone() -> bool:
        released = (await _usage(api, user))["used_bytes"] == 0
        return released and await list_objects(stack, f"{user.id}/") == []

    await _eventually(gone, "the deleted score's objects or bytes are still there")

    assert (await api.put_object(upload, data)).status_code == 200
    assert await list_objects(stack, f"{user.id}/") == []
    await _staging_swept(api, stack, user, upload["score_id"])
    assert await list_objects(stack, f"{user.id}/") == []
    usage = await _usage(api, user)
    assert (usage["used_bytes"], usage["scores"]) == (0, 0)


async def _reconcile(api: ApiClient, admin: User, prefix: str) -> dict[str, Any]:
    response = await api.http.post("/admin/files/reconcile", params={"prefix": prefix}, headers=admin.headers)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    assert report["prefix"] == prefix
    return report


async def test_reconciliation_reports_a_stray_and_a_missing_object_and_deletes_old_staging_strays(
    api: ApiClient, stack
):
    owner = await api.register()
    admin = await make_admin(api, stack, await api.register())
    data = _pdf("reconciled")
    upload = await _upload(api, owner, data)
    assert (await api.put_object(upload, data)).status_code == 200
    ready = await _create_score(api, owner, upload, "Reconciled")
    assert ready["status"] == "ready", ready["error"]

    async def thumbnails_indexed() -> bool:
        listed = await api.http.get("/admin/files", params={"user_id": owner.id}, headers=admin.headers)
        return "cover" in {item["kind"] for item in listed.json()["items"]}

    await _eventually(thumbnails_indexed, "the cover is not in the index")

    original = f"{owner.id}/scores/{ready['id']}/original.pdf"
    stray = f"{owner.id}/scores/{uuid.uuid4()}/original.pdf"
    staging_stray = f"staging/{owner.id}/{uuid.uuid4()}.pdf"
    async with admin_storage(stack) as s3:
        await s3.delete_object(Bucket=stack.cfg.s3_bucket, Key=original)
        for key in (stray, staging_stray):
            await s3.put_object(Bucket=stack.cfg.s3_bucket, Key=key, Body=b"%PDF-1.4 nobody's")

    report = await _reconcile(api, admin, f"{owner.id}/")
    assert report["strays"] == {"count": 1, "sample": [stray]}
    assert report["missing"] == {"count": 1, "sample": [original]}
    assert report["strays_deleted"]["count"] == 0
    assert report["objects_listed"] >= 2  # the cover and the page images, beside the stray
    # Outside staging a stray is only reported: an operator decides.
    assert stray in await list_objects(stack, f"{owner.id}/")

    await asyncio.sleep(TEST_RECONCILE_GRACE_SECONDS + 0.5)
    staging = await _reconcile(api, admin, f"staging/{owner.id}/")
    assert staging["strays"] == {"count": 1, "sample": [staging_stray]}
    assert staging["strays_deleted"] == {"count": 1, "sample": [staging_stray]}
    assert staging["missing"]["count"] == 0
    assert await list_objects(stack, f"staging/{owner.id}/") == []

    refused = await api.http.post("/admin/files/reconcile", headers=owner.headers)
    assert refused.status_code == 403
    assert (
        await api.http.post("/admin/files/reconcile", params={"prefix": "x" * 2000}, headers=admin.headers)
    ).status_code == 422

    async def logged() -> bool:
        log = await api.http.get(
            "/admin/access-log",
            params={"user_id": admin.id, "action": "admin:reconcile"},
            headers=admin.headers,
        )
        return {entry["object_key"] for entry in log.json()["items"]} >= {
            f"files: {owner.id}/",
            f"files: staging/{owner.id}/",
        }

    await _eventually(logged, "the reconciliations are not in the access log")


async def test_the_periodic_reconciliation_deletes_what_is_put_after_the_account_was_erased(
    api: ApiClient, stack
):
    user = await api.register()
    data = _pdf("erased")
    upload = await _upload(api, user, data)
    assert (await api.http.delete("/auth/me", headers=user.headers)).status_code == 202

    async def erased() -> bool:
        rows = await superuser_sql(
            stack, "SELECT count(*) FROM files.uploads WHERE user_id = CAST(:u AS uuid)", u=user.id
        )
        return bool(rows[0][0] == 0)

    await _eventually(erased, "files still holds the erased user's upload")
    # The URL outlives the account: its PUT lands on a staging key no row waits for.
    assert (await api.put_object(upload, data)).status_code == 200
    assert await list_objects(stack, f"{user.id}/") == []
    assert await list_objects(stack, f"staging/{user.id}/") == [f"staging/{user.id}/{upload['score_id']}.pdf"]

    await asyncio.sleep(TEST_RECONCILE_GRACE_SECONDS + 0.5)
    # As if the last periodic run were two days old: the next worker to look starts one.
    await superuser_sql(
        stack,
        "UPDATE files.reconciliations SET started_at = started_at - interval '2 days' "
        "WHERE trigger = 'periodic'",
    )

    async def deleted() -> bool:
        return await list_objects(stack, f"staging/{user.id}/") == []

    await _eventually(deleted, "the periodic reconciliation left the stray")
    runs = await superuser_sql(
        stack,
        "SELECT strays_deleted FROM files.reconciliations "
        "WHERE trigger = 'periodic' AND finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1",
    )
    assert runs[0][0] >= 1
