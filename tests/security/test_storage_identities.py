"""Issue 11 row 2: one least-privilege storage identity per service, on the real SeaweedFS.

Each test signs with the credentials the service process really runs with (its environment from
the stack runner), as anyone who took them from that process could: presigned GETs and PUTs
through the gateway's /s3/ (what it passes), everything else straight to storage (what the
services themselves reach).
"""

import hashlib
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aioboto3
import httpx
import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError

from scoremate_shared.sigv4 import QuerySigner
from scoremate_shared.storage import cover_key, original_key, page_thumbnail_key
from scoremate_stack.config import STORAGE_SERVICES
from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


@dataclass(frozen=True)
class StoredScore:
    user_id: uuid.UUID
    score_id: uuid.UUID
    data: bytes

    @property
    def original(self) -> str:
        return original_key(self.user_id, self.score_id)

    @property
    def cover(self) -> str:
        return cover_key(self.user_id, self.score_id)

    @property
    def user_prefix(self) -> str:
        return f"{self.user_id}/"


@pytest.fixture(scope="module")
async def score(stack) -> StoredScore:
    """One uploaded score, processed to its thumbnails: an original, a cover, page images."""
    data = corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
        api = ApiClient(http)
        user = await api.register()
        created = await api.upload_score(user, data, "Op. 19/6")
        ready = await api.wait_for_score(user, created["id"])
    assert ready["status"] == "ready", ready
    return StoredScore(uuid.UUID(user.id), uuid.UUID(created["id"]), data)


def _signer(stack, service: str) -> QuerySigner:
    """Presigns for the gateway's /s3/ with the service's own key, as the service does."""
    env = stack.cfg.service_env(service)
    return QuerySigner(
        env["S3_PUBLIC_ENDPOINT_URL"], env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], env["S3_REGION"]
    )


@asynccontextmanager
async def _storage(stack, service: str) -> AsyncIterator[Any]:
    """An S3 client straight to storage with the service's own key."""
    env = stack.cfg.service_env(service)
    async with aioboto3.Session().client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY"],
        aws_secret_access_key=env["S3_SECRET_KEY"],
        region_name=env["S3_REGION"],
        config=AioConfig(
            signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}
        ),
    ) as s3:
        yield s3


async def _status(call: Awaitable[dict[str, Any]]) -> int:
    try:
        response = await call
    except ClientError as exc:
        return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])
    return int(response["ResponseMetadata"]["HTTPStatusCode"])


async def _get(stack, service: str, key: str) -> httpx.Response:
    url = _signer(stack, service).presign("GET", stack.cfg.s3_bucket, key, 60)
    async with httpx.AsyncClient(timeout=30) as raw:
        return await raw.get(url)


async def _put(stack, service: str, key: str, body: bytes, content_type: str) -> httpx.Response:
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    url = _signer(stack, service).presign("PUT", stack.cfg.s3_bucket, key, 60, headers=headers)
    async with httpx.AsyncClient(timeout=30) as raw:
        return await raw.put(url, headers=headers, content=body)


async def _assert_original_intact(stack, score: StoredScore) -> None:
    """Read with files' own key: the bytes uploaded, not whatever a refused request sent."""
    got = await _get(stack, "files", score.original)
    assert got.status_code == 200, got.text
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(score.data).hexdigest()


@pytest.mark.parametrize("service", ["library", "sync"])
async def test_the_library_and_sync_keys_read_covers_and_nothing_else(
    stack, score: StoredScore, service: str
):
    """Library and sync sign the cover URLs of what they answer, so they read covers: no original,
    no write of a score's objects (library's part of an export: below)."""
    bucket = stack.cfg.s3_bucket
    assert (await _get(stack, service, score.cover)).status_code == 200
    assert (await _get(stack, service, score.original)).status_code == 403
    page = page_thumbnail_key(score.user_id, score.score_id, 1)
    assert (await _get(stack, service, page)).status_code == 403
    forged = b"%PDF-1.4 not the score that was uploaded"
    assert (await _put(stack, service, score.original, forged, "application/pdf")).status_code == 403
    not_a_cover = b"\xff\xd8 not a cover"
    assert (await _put(stack, service, score.cover, not_a_cover, "image/jpeg")).status_code == 403
    async with _storage(stack, service) as s3:
        assert await _status(s3.delete_object(Bucket=bucket, Key=score.original)) == 403
        assert await _status(s3.list_objects_v2(Bucket=bucket, Prefix=score.user_prefix)) == 403
    await _assert_original_intact(stack, score)


async def test_the_processor_key_reads_originals_but_cannot_replace_or_delete_them(stack, score: StoredScore):
    bucket = stack.cfg.s3_bucket
    assert (await _get(stack, "processor", score.original)).status_code == 200
    forged = b"%PDF-1.4 not the score that was uploaded"
    assert (await _put(stack, "processor", score.original, forged, "application/pdf")).status_code == 403
    # What it is for: derived images of a score.
    spare_page = page_thumbnail_key(score.user_id, score.score_id, 9999)
    assert (await _put(stack, "processor", spare_page, b"\xff\xd8 page", "image/jpeg")).status_code == 200
    async with _storage(stack, "processor") as s3:
        assert await _status(s3.delete_object(Bucket=bucket, Key=score.original)) == 403
        batch = await s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": score.original}]})
        assert [error["Code"] for error in batch.get("Errors", [])] == ["AccessDenied"], batch
        assert await _status(s3.list_objects_v2(Bucket=bucket, Prefix=score.user_prefix)) == 403
    await _assert_original_intact(stack, score)


async def test_only_the_files_key_lists_the_bucket(stack, score: StoredScore):
    """Files reconciles the bucket with its index (strays anywhere, staging/ included), so it lists
    the whole bucket; it already reads and deletes any object. No other key lists anything."""
    bucket = stack.cfg.s3_bucket
    async with _storage(stack, "files") as s3:
        assert await _status(s3.list_objects_v2(Bucket=bucket, MaxKeys=1)) == 200
        assert await _status(s3.list_objects_v2(Bucket=bucket, Prefix="staging/", MaxKeys=1)) == 200
        listed = await s3.list_objects_v2(Bucket=bucket, Prefix=score.user_prefix)
        assert score.original in [item["Key"] for item in listed.get("Contents", [])]
    for service in set(STORAGE_SERVICES) - {"files"}:
        async with _storage(stack, service) as s3:
            assert await _status(s3.list_objects_v2(Bucket=bucket)) == 403, service
            assert await _status(s3.list_objects_v2(Bucket=bucket, Prefix=score.user_prefix)) == 403, service
            assert await _status(s3.list_objects_v2(Bucket=bucket, Prefix="exports/")) == 403, service


def _export_parts(user_id: uuid.UUID) -> str:
    """Where the contributors write the parts of an export's first attempt (design of issue 15)."""
    return f"exports/{user_id}/{uuid.uuid4()}/1/parts"


async def test_the_exports_key_reads_originals_and_owns_its_prefixes_only(stack, score: StoredScore):
    """Exports packs originals into archives and keeps archives, imports and reports under its
    own prefixes (with multipart uploads there); it changes no score's object and reads nothing
    else of one."""
    bucket = stack.cfg.s3_bucket
    assert (await _get(stack, "exports", score.original)).status_code == 200
    assert (await _get(stack, "exports", score.cover)).status_code == 403
    page = page_thumbnail_key(score.user_id, score.score_id, 1)
    assert (await _get(stack, "exports", page)).status_code == 403
    forged = b"%PDF-1.4 not the score that was uploaded"
    assert (await _put(stack, "exports", score.original, forged, "application/pdf")).status_code == 403
    # What a client gets for an import: a PUT of its archive at a staging key under imports/.
    staging = f"imports/staging/{score.user_id}/{uuid.uuid4()}.zip"
    assert (
        await _put(stack, "exports", staging, b"PK\x05\x06" + bytes(18), "application/zip")
    ).status_code == 200
    archive = f"exports/{score.user_id}/{uuid.uuid4()}/archive.zip"
    async with _storage(stack, "exports") as s3:
        assert await _status(s3.delete_object(Bucket=bucket, Key=score.original)) == 403
        own = [f"{_export_parts(score.user_id)}/library.json", f"reports/monthly/{uuid.uuid4()}.csv"]
        for key in own:
            assert await _status(s3.put_object(Bucket=bucket, Key=key, Body=b"{}")) == 200, key
            assert await _status(s3.get_object(Bucket=bucket, Key=key)) == 200, key
        # The import takes the archive out of the client's reach before reading it.
        taken = f"imports/{score.user_id}/{uuid.uuid4()}/archive.zip"
        copy = s3.copy_object(Bucket=bucket, Key=taken, CopySource={"Bucket": bucket, "Key": staging})
        assert await _status(copy) == 200
        # Never onto a key a score is read from.
        copy = s3.copy_object(
            Bucket=bucket, Key=score.original, CopySource={"Bucket": bucket, "Key": staging}
        )
        assert await _status(copy) == 403
        # The archive: a multipart upload it may list the parts of, complete or abort.
        upload = await s3.create_multipart_upload(Bucket=bucket, Key=archive)
        part = await s3.upload_part(
            Bucket=bucket, Key=archive, UploadId=upload["UploadId"], PartNumber=1, Body=b"PK archive"
        )
        listed = await s3.list_parts(Bucket=bucket, Key=archive, UploadId=upload["UploadId"])
        assert [p["PartNumber"] for p in listed["Parts"]] == [1]
        done = s3.complete_multipart_upload(
            Bucket=bucket,
            Key=archive,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
        )
        assert await _status(done) == 200
        assert (await (await s3.get_object(Bucket=bucket, Key=archive))["Body"].read()) == b"PK archive"
        abandoned = await s3.create_multipart_upload(Bucket=bucket, Key=f"{archive}.next")
        aborted = s3.abort_multipart_upload(
            Bucket=bucket, Key=f"{archive}.next", UploadId=abandoned["UploadId"]
        )
        assert await _status(aborted) == 204
        assert await _status(s3.create_multipart_upload(Bucket=bucket, Key=score.original)) == 403
        for key in [*own, staging, taken, archive]:
            assert await _status(s3.delete_object(Bucket=bucket, Key=key)) == 204, key
    await _assert_original_intact(stack, score)


# Each contributor to an export writes its own part files and nothing else (design of issue 15).
EXPORT_PARTS = {
    "library": ("library.json", "setlists.json"),
    "auth": ("profile.json",),
    "billing": ("billing.json",),
}


@pytest.mark.parametrize("service", EXPORT_PARTS)
async def test_a_contributor_puts_its_part_of_an_export_and_nothing_else(
    stack, score: StoredScore, service: str
):
    bucket = stack.cfg.s3_bucket
    parts = _export_parts(score.user_id)
    own = [f"{parts}/{name}" for name in EXPORT_PARTS[service]]
    others = [
        f"{parts}/{name}" for names in EXPORT_PARTS.values() for name in names if f"{parts}/{name}" not in own
    ]
    async with _storage(stack, service) as s3:
        for key in own:
            assert await _status(s3.put_object(Bucket=bucket, Key=key, Body=b"{}")) == 200, key
            assert await _status(s3.get_object(Bucket=bucket, Key=key)) == 403, key
        for key in [
            *others,
            f"{parts.rsplit('/', 2)[0]}/archive.zip",
            f"imports/staging/{score.user_id}/x.zip",
        ]:
            assert await _status(s3.put_object(Bucket=bucket, Key=key, Body=b"{}")) == 403, key
        assert await _status(s3.put_object(Bucket=bucket, Key=score.original, Body=b"%PDF-1.4 forged")) == 403
        assert await _status(s3.delete_object(Bucket=bucket, Key=score.original)) == 403
    assert (await _get(stack, service, score.original)).status_code == 403
    async with _storage(stack, "exports") as s3:  # what the export reads, then deletes
        for key in own:
            assert (await (await s3.get_object(Bucket=bucket, Key=key))["Body"].read()) == b"{}"
        deleted = await s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in own]})
        assert not deleted.get("Errors"), deleted
    await _assert_original_intact(stack, score)
