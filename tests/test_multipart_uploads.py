"""Issue 14: resumable uploads. Above MULTIPART_THRESHOLD_BYTES (1 MiB on the test stack, parts of
5 MiB) a client that asks for it gets an S3 multipart upload: a URL per part, through the gateway's
/s3/, to SeaweedFS; the parts storage has after a dropped connection; complete; then POST /scores
and the verification of any upload."""

import asyncio
import hashlib
import io
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pypdfium2 as pdfium
import pytest

from scoremate_files.settings import FilesSettings
from scoremate_files.sweeper import Sweeper
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage, staging_key, staging_user_prefix
from tests.admin.test_admin_operations import make_admin
from tests.conftest import TEST_MULTIPART_PART_BYTES, TEST_SOLO_QUOTA_MB
from tests.support import (
    ApiClient,
    User,
    admin_storage,
    corpus_manifest,
    image_bytes,
    superuser_sql,
    usage_reaches,
)

pytestmark = pytest.mark.stack

MB = 1024 * 1024


def _big_pdf(seed: str) -> bytes:
    """A real multi-page PDF of about 11 MiB, built from the corpus (nothing big is committed):
    three scores' pages and an incompressible attached file, so it takes three 5 MiB parts."""
    manifest = corpus_manifest()
    document = pdfium.PdfDocument.new()
    for name in ("bach_chorale-bwv1-6.pdf", "schoenberg_op19-2.pdf", "haydn_quartet-op74-1-mvt3.pdf"):
        document.import_pages(pdfium.PdfDocument(manifest[name].path))
    attachment = document.new_attachment("padding.bin")
    attachment.set_data(random.Random(seed).randbytes(11 * MB))
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    assert 10 * MB < len(data) <= 15 * MB  # three parts: 5 MiB, 5 MiB and the rest
    return data


def _small_upload(seed: str, size: int = 4 * MB) -> bytes:
    """Bytes above the test threshold that fit the Solo quota; never verified, so no PDF needed."""
    return b"%PDF-1.7\n" + random.Random(seed).randbytes(size - 9)


async def _request(api: ApiClient, user: User, data: bytes, *, resumable: bool = True) -> httpx.Response:
    return await api.http.post(
        "/files/upload-url",
        headers=user.headers,
        json={
            "filename": "Scanned book.pdf",
            "size_bytes": len(data),
            "mime": "application/pdf",
            "content_hash": hashlib.sha256(data).hexdigest(),
            "resumable": resumable,
        },
    )


async def _pro_user_with_upload(api: ApiClient, data: bytes) -> tuple[User, dict[str, Any]]:
    """A Pro user (the test Solo quota is 5 MB) and their multipart upload of `data`; files learns
    of the plan from billing's QuotaChanged, a moment after the upgrade."""
    user = await api.register()
    upgraded = await api.http.post(
        "/billing/plan",
        headers=user.headers,
        json={"plan": "pro", "receipt": f"sandbox:pro:order-{uuid.uuid4().hex[:8]}-{user.id}"},
    )
    assert upgraded.status_code == 200, upgraded.text
    deadline = time.monotonic() + 20
    while (response := await _request(api, user, data)).status_code == 403:
        assert time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)
    assert response.status_code == 201, response.text
    return user, response.json()


async def _put_part(part: dict[str, Any], data: bytes) -> httpx.Response:
    """One part, as a client sends it: its slice of the file to its URL with its headers."""
    start = (part["part_number"] - 1) * TEST_MULTIPART_PART_BYTES
    async with httpx.AsyncClient(timeout=60) as raw:
        return await raw.put(
            part["url"], headers=part["headers"], content=data[start : start + part["size_bytes"]]
        )


def _upload_id(part_url: str) -> str:
    return parse_qs(urlsplit(part_url).query)["uploadId"][0]


async def _uploads_in_progress(stack, user: User) -> list[str]:
    """The upload ids of the user's multipart uploads storage keeps (neither completed nor aborted)."""
    async with admin_storage(stack) as s3:
        listed = await s3.list_multipart_uploads(
            Bucket=stack.cfg.s3_bucket, Prefix=staging_user_prefix(uuid.UUID(user.id))
        )
    return [upload["UploadId"] for upload in listed.get("Uploads", [])]


async def _eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout}s")
        await asyncio.sleep(0.2)


async def _dropped_mid_part(part: dict[str, Any], data: bytes) -> None:
    """The connection drops halfway through a part: the client sent half of it, then nothing."""
    start = (part["part_number"] - 1) * TEST_MULTIPART_PART_BYTES
    half = data[start : start + part["size_bytes"] // 2]

    async def body() -> AsyncIterator[bytes]:
        yield half
        raise ConnectionResetError("the train entered a tunnel")

    async with httpx.AsyncClient(timeout=60) as raw:
        with pytest.raises((ConnectionResetError, httpx.HTTPError)):
            await raw.put(part["url"], headers=part["headers"], content=body())


async def test_an_interrupted_multipart_upload_resumes_and_ends_ready_with_the_right_bytes_and_usage(
    api: ApiClient, stack
):
    data = _big_pdf("resumed")
    user, upload = await _pro_user_with_upload(api, data)
    score_id = upload["score_id"]
    assert upload["method"] == "MULTIPART"
    assert upload["part_size"] == TEST_MULTIPART_PART_BYTES
    assert [(p["part_number"], p["size_bytes"]) for p in upload["parts"]] == [
        (1, 5 * MB),
        (2, 5 * MB),
        (3, len(data) - 10 * MB),
    ]
    assert {"score_id", "upload_token", "expires_at", "urls_expire_at"} <= set(upload)
    assert all(p["url"].startswith(f"{stack.gateway_url}/s3/") for p in upload["parts"])

    # Parts 1 and 2 go through the gateway; part 3's connection drops halfway; the client stops.
    etags = {}
    for part in upload["parts"][:2]:
        sent = await _put_part(part, data)
        assert sent.status_code == 200, sent.text
        etags[part["part_number"]] = sent.headers["etag"]
    await _dropped_mid_part(upload["parts"][2], data)

    # Completing now is refused, saying what is missing.
    early = await api.http.post(f"/files/uploads/{score_id}/complete", headers=user.headers)
    assert early.status_code == 409, early.text
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["type"].endswith("/upload-incomplete")
    assert early.json()["missing_parts"] == [3]
    assert "Part 3 of 3 has not been uploaded" in early.json()["detail"]

    # Parts in progress are no strays: the reconciliation of the whole bucket lists none of them.
    admin = await make_admin(api, stack, await api.register())
    report = await api.http.post("/admin/files/reconcile", params={"prefix": ""}, headers=admin.headers)
    assert report.status_code == 200, report.text
    assert not [key for key in report.json()["strays"]["sample"] if key.startswith(".uploads")]
    assert not [key for key in report.json()["strays"]["sample"] if score_id in key]

    # The resume: storage has parts 1 and 2; part 3 gets a fresh URL.
    resumed = await api.http.get(f"/files/uploads/{score_id}", headers=user.headers)
    assert resumed.status_code == 200, resumed.text
    state = resumed.json()
    assert state["state"] == "uploading"
    assert state["part_count"] == 3
    assert [(p["part_number"], p["size_bytes"]) for p in state["parts"]] == [(1, 5 * MB), (2, 5 * MB)]
    assert [p["etag"] for p in state["parts"]] == [etags[1].strip('"'), etags[2].strip('"')]
    assert [p["part_number"] for p in state["missing"]] == [3]
    last = state["missing"][0]
    assert last["size_bytes"] == len(data) - 10 * MB
    sent = await _put_part(last, data)
    assert sent.status_code == 200, sent.text
    etags[3] = sent.headers["etag"]

    # The gateway passes a part's PUT only: listing the parts (a GET with the upload id) never.
    async with httpx.AsyncClient(timeout=10) as raw:
        assert (await raw.get(last["url"])).status_code == 403
        assert (await raw.delete(last["url"])).status_code == 403

    complete = await api.http.post(
        f"/files/uploads/{score_id}/complete",
        headers=user.headers,
        json={"parts": [{"part_number": n, "etag": etag} for n, etag in etags.items()]},
    )
    assert complete.status_code == 200, complete.text
    assert complete.json()["state"] == "completed"
    assert [p["part_number"] for p in complete.json()["parts"]] == [1, 2, 3]
    again = await api.http.post(f"/files/uploads/{score_id}/complete", headers=user.headers)
    assert again.status_code == 200, again.text  # a retried complete (its answer was lost)
    assert (await api.http.get(f"/files/uploads/{score_id}", headers=user.headers)).json()[
        "state"
    ] == "completed"

    created = await api.http.post(
        "/scores",
        headers=user.headers,
        json={"upload_token": upload["upload_token"], "title": "Scanned book"},
    )
    assert created.status_code == 201, created.text
    score = await api.wait_for_score(user, score_id)
    assert score["status"] == "ready", score
    assert score["pages"] == 6
    assert score["size_bytes"] == len(data)

    link = await api.http.get("/files/download-url", params={"score_id": score_id}, headers=user.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient(timeout=60) as raw:
        original = await raw.get(link.json()["url"])
    assert original.status_code == 200
    assert hashlib.sha256(original.content).hexdigest() == hashlib.sha256(data).hexdigest()

    used = len(data) + await image_bytes(stack, user.id, score_id)
    usage = await usage_reaches(api, user, used)
    assert usage["used_bytes"] == used
    assert usage["scores"] == 1
    # Nothing is left of the upload in storage: no parts, no staging object.
    assert await _uploads_in_progress(stack, user) == []
    # Once claimed, the upload is over.
    over = await api.http.get(f"/files/uploads/{score_id}", headers=user.headers)
    assert over.status_code == 409
    assert over.json()["type"].endswith("/upload-not-in-progress")
    assert over.json()["upload_status"] == "stored"


async def test_abort_releases_the_reservation_and_the_parts(api: ApiClient, stack):
    user = await api.register()
    first_data = _small_upload("first")
    first = await _request(api, user, first_data)
    assert first.status_code == 201, first.text
    upload = first.json()
    assert upload["method"] == "MULTIPART"
    assert [p["size_bytes"] for p in upload["parts"]] == [len(first_data)]  # one part may be small
    assert (await _put_part(upload["parts"][0], first_data)).status_code == 200
    assert await _uploads_in_progress(stack, user) == [_upload_id(upload["parts"][0]["url"])]

    # The Solo quota (5 MB) holds one 4 MiB reservation, not two.
    second_data = _small_upload("second")
    assert len(first_data) + len(second_data) > TEST_SOLO_QUOTA_MB * MB
    refused = await _request(api, user, second_data)
    assert refused.status_code == 403, refused.text

    aborted = await api.http.delete(f"/files/uploads/{upload['score_id']}", headers=user.headers)
    assert aborted.status_code == 204, aborted.text
    assert await _uploads_in_progress(stack, user) == []
    assert (
        await api.http.delete(f"/files/uploads/{upload['score_id']}", headers=user.headers)
    ).status_code == 204
    gone = await api.http.get(f"/files/uploads/{upload['score_id']}", headers=user.headers)
    assert gone.status_code == 409
    assert "released" in gone.json()["detail"]
    # Its part URL is dead, and its token creates no score.
    assert (await _put_part(upload["parts"][0], first_data)).status_code == 404
    created = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "Aborted"}
    )
    assert created.status_code == 201, created.text
    failed = await api.wait_for_score(user, upload["score_id"])
    assert failed["status"] == "failed"

    accepted = await _request(api, user, second_data)
    assert accepted.status_code == 201, accepted.text


async def test_another_users_upload_is_404_and_left_alone(api: ApiClient, stack):
    owner, stranger = await api.register(), await api.register()
    data = _small_upload("owned")
    upload = (await _request(api, owner, data)).json()
    path = f"/files/uploads/{upload['score_id']}"
    for response in (
        await api.http.get(path, headers=stranger.headers),
        await api.http.post(f"{path}/complete", headers=stranger.headers),
        await api.http.delete(path, headers=stranger.headers),
        await api.http.get(f"/files/uploads/{uuid.uuid4()}", headers=owner.headers),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["type"].endswith("/upload-not-found")
    state = await api.http.get(path, headers=owner.headers)
    assert state.status_code == 200
    assert state.json()["state"] == "uploading"


async def test_below_the_threshold_or_without_the_opt_in_the_answer_is_the_contracts_single_put(
    api: ApiClient, stack
):
    user = await api.register()
    small = _small_upload("small", size=MB)  # not above the 1 MiB threshold
    for data, resumable in ((small, True), (_small_upload("plain"), False)):
        response = await _request(api, user, data, resumable=resumable)
        assert response.status_code == 201, response.text
        upload = response.json()
        assert upload["method"] == "PUT"
        assert set(upload) == {"score_id", "upload_token", "url", "method", "headers", "expires_at"}
        # A single PUT's reservation can be given up the same way; it is no multipart upload.
        assert (
            await api.http.get(f"/files/uploads/{upload['score_id']}", headers=user.headers)
        ).status_code == 404
        assert (
            await api.http.delete(f"/files/uploads/{upload['score_id']}", headers=user.headers)
        ).status_code == 204


async def test_a_part_of_another_size_than_announced_is_refused_at_complete(api: ApiClient, stack):
    user = await api.register()
    data = _small_upload("resized")
    upload = (await _request(api, user, data)).json()
    # The signed Content-Length keeps a client to the announced size; storage's own key does not.
    async with admin_storage(stack) as s3:
        await s3.upload_part(
            Bucket=stack.cfg.s3_bucket,
            Key=staging_key(uuid.UUID(user.id), uuid.UUID(upload["score_id"])),
            UploadId=_upload_id(upload["parts"][0]["url"]),
            PartNumber=1,
            Body=data[:1000],
        )
    refused = await api.http.post(f"/files/uploads/{upload['score_id']}/complete", headers=user.headers)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/part-size-mismatch")
    assert (problem["part_number"], problem["size_bytes"], problem["expected_bytes"]) == (1, 1000, len(data))
    # The resume offers that part again.
    state = (await api.http.get(f"/files/uploads/{upload['score_id']}", headers=user.headers)).json()
    assert [p["part_number"] for p in state["missing"]] == [1]
    assert (await _put_part(state["missing"][0], data)).status_code == 200
    stale_etag = await api.http.post(
        f"/files/uploads/{upload['score_id']}/complete",
        headers=user.headers,
        json={"parts": [{"part_number": 1, "etag": '"0123456789abcdef"'}]},
    )
    assert stale_etag.status_code == 409
    assert stale_etag.json()["type"].endswith("/part-etag-mismatch")
    # Storage still lists the refused part beside the one sent again (SeaweedFS does): the one of
    # the announced size is joined, and the staging object holds exactly the bytes announced.
    done = await api.http.post(f"/files/uploads/{upload['score_id']}/complete", headers=user.headers)
    assert done.status_code == 200, done.text
    async with admin_storage(stack) as s3:
        joined = await s3.get_object(
            Bucket=stack.cfg.s3_bucket, Key=staging_key(uuid.UUID(user.id), uuid.UUID(upload["score_id"]))
        )
        assert hashlib.sha256(await joined["Body"].read()).hexdigest() == hashlib.sha256(data).hexdigest()


async def test_the_sweeper_aborts_an_expired_multipart_upload_and_releases_its_reservation(
    api: ApiClient, stack
):
    user = await api.register()
    data = _small_upload("expired")
    upload = (await _request(api, user, data)).json()
    assert (await _put_part(upload["parts"][0], data)).status_code == 200
    # As if the upload's deadline had passed an hour ago (the sweeper looks every second here).
    await superuser_sql(
        stack,
        "UPDATE files.uploads SET expires_at = now() - interval '1 hour' WHERE score_id = :s",
        s=upload["score_id"],
    )

    async def aborted() -> bool:
        return await _uploads_in_progress(stack, user) == []

    await _eventually(aborted, "the expired multipart upload is still in storage")
    [(status,)] = await superuser_sql(
        stack, "SELECT status FROM files.uploads WHERE score_id = :s", s=upload["score_id"]
    )
    assert status == "released"
    # The bytes are free again: another 4 MiB fits the 5 MB quota.
    assert (await _request(api, user, _small_upload("after"))).status_code == 201


async def test_the_sweeper_aborts_multipart_uploads_older_than_any_reservation(api: ApiClient, stack):
    """By listing storage: an orphan (no reservation: its commit failed) and one whose reservation
    is still held, both started longer ago than an upload may take."""
    user = await api.register()
    data = _small_upload("listed")
    upload = (await _request(api, user, data)).json()
    orphan_key = staging_key(uuid.UUID(user.id), uuid.uuid4())
    async with admin_storage(stack) as s3:
        await s3.create_multipart_upload(Bucket=stack.cfg.s3_bucket, Key=orphan_key)
    assert len(await _uploads_in_progress(stack, user)) == 2

    env = stack.cfg.service_env("files")
    settings = FilesSettings(**{name.lower(): value for name, value in env.items()})
    storage, db = ObjectStorage(settings), Database(settings)
    await storage.start()
    try:
        sweeper = Sweeper(settings, storage)
        prefix = staging_user_prefix(uuid.UUID(user.id))
        # Not yet: both are younger than an upload's lifetime plus the grace period.
        assert await sweeper.sweep_stale_multipart(db, prefix=prefix) == 0
        later = datetime.now(UTC) + timedelta(
            seconds=settings.multipart_upload_seconds + settings.reservation_grace_seconds + 60
        )
        assert await sweeper.sweep_stale_multipart(db, now=later, prefix=prefix) == 2
    finally:
        await storage.close()
        await db.dispose()
    assert await _uploads_in_progress(stack, user) == []
    [(status, reason)] = await superuser_sql(
        stack, "SELECT status, reason FROM files.uploads WHERE score_id = :s", s=upload["score_id"]
    )
    assert (status, reason) == ("released", "multipart upload expired unfinished")


async def test_a_score_created_before_the_complete_fails_and_drops_the_parts(api: ApiClient, stack):
    user = await api.register()
    data = _small_upload("uncompleted")
    upload = (await _request(api, user, data)).json()
    assert (await _put_part(upload["parts"][0], data)).status_code == 200
    created = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "Too soon"}
    )
    assert created.status_code == 201, created.text
    failed = await api.wait_for_score(user, upload["score_id"])
    assert (failed["status"], failed["error"]) == ("failed", "the multipart upload was not completed")

    async def dropped() -> bool:
        return await _uploads_in_progress(stack, user) == []

    await _eventually(dropped, "the parts of the refused upload are still in storage")
    late = await api.http.post(f"/files/uploads/{upload['score_id']}/complete", headers=user.headers)
    assert late.status_code == 409
    assert late.json()["upload_status"] == "rejected"
