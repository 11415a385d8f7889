"""Resumable uploads' decisions on files' migrated schema (the middle tier): the part plan, the
opt-in, the reservation of a multipart upload. Storage's side of it (the parts, complete, abort,
the sweeper's listing) runs against SeaweedFS in tests/test_multipart_uploads.py."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import EndpointConnectionError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files import resumable
from scoremate_files.bucket import StoredPart
from scoremate_files.context import FilesParts
from scoremate_files.models import Upload, UploadStatus
from scoremate_files.reconciliation import Reconciler
from scoremate_files.resumable import (
    PartAmbiguous,
    PartEtagMismatch,
    PartSizeMismatch,
    StorageUnavailable,
    UploadIncomplete,
    choose_parts,
    part_sizes,
)
from scoremate_files.schemas import CompleteUploadIn, MultipartUploadUrlOut, UploadUrlIn, UploadUrlOut
from scoremate_files.settings import MB, FilesSettings
from scoremate_files.sweeper import _staging_score_id
from scoremate_files.uploads import QuotaExceeded
from scoremate_shared.events import QuotaChangedV1
from scoremate_shared.storage import ObjectStorage, staging_key
from scoremate_shared.upload_token import verify_upload_token


def upload_in(size_bytes: int, *, resumable: bool) -> UploadUrlIn:
    return UploadUrlIn(
        filename="Scanned book.pdf",
        size_bytes=size_bytes,
        mime="application/pdf",
        content_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        resumable=resumable,
    )


@pytest.mark.parametrize(
    ("size", "part", "expected"),
    [
        (10, 5, [5, 5]),
        (11, 5, [5, 5, 1]),
        (3, 5, [3]),  # a file smaller than a part is one (short) part
        (1, 5, [1]),
    ],
)
def test_every_part_has_the_part_size_but_the_last(size: int, part: int, expected: list[int]) -> None:
    assert part_sizes(size, part) == expected


async def test_below_the_threshold_or_without_the_opt_in_the_answer_is_one_put(
    session: AsyncSession, files_parts: FilesParts, files_settings: FilesSettings
):
    """The storage of these services is never started: a multipart upload would fail here."""
    uploads, user_id = files_parts.uploads, uuid.uuid4()
    at_threshold = files_settings.multipart_threshold_bytes
    above = at_threshold + 1
    for data in (upload_in(at_threshold, resumable=True), upload_in(1000, resumable=True)):
        answer = await uploads.create_upload_url(session, user_id, data)
        assert isinstance(answer, UploadUrlOut)
    assert uploads.resumable.wants_multipart(above, True)
    assert not uploads.resumable.wants_multipart(above, False)


@pytest.fixture
def started_multipart(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """CreateMultipartUpload answered here (the stack tests run it on SeaweedFS); the keys asked for."""
    started: list[tuple[str, str]] = []

    async def create_multipart(storage: ObjectStorage, key: str, content_type: str) -> str:
        started.append((key, content_type))
        return "upload-id/1"

    monkeypatch.setattr(resumable, "create_multipart", create_multipart)
    return started


async def test_a_multipart_upload_reserves_the_whole_file_and_signs_a_url_per_part(
    session: AsyncSession,
    files_parts: FilesParts,
    files_settings: FilesSettings,
    started_multipart: list[tuple[str, str]],
):
    uploads, user_id = files_parts.uploads, uuid.uuid4()
    part = files_settings.multipart_part_bytes
    size = files_settings.multipart_threshold_bytes + 2 * part + 123
    quota = QuotaChangedV1(user_id=user_id, plan="pro", total_bytes=size + 1000, used_bytes=0, reason="test")
    await uploads.apply_quota(session, quota)
    before = datetime.now(UTC)
    answer = await uploads.create_upload_url(session, user_id, upload_in(size, resumable=True))

    assert isinstance(answer, MultipartUploadUrlOut)
    assert answer.method == "MULTIPART"
    assert answer.part_size == part
    assert [p.size_bytes for p in answer.parts] == part_sizes(size, part)
    assert sum(p.size_bytes for p in answer.parts) == size
    key = staging_key(user_id, answer.score_id)
    assert started_multipart == [(key, "application/pdf")]
    for number, signed in enumerate(answer.parts, start=1):
        url = urlsplit(signed.url)
        assert url.path.endswith(key)
        query = parse_qs(url.query)
        assert (query["partNumber"], query["uploadId"]) == ([str(number)], ["upload-id/1"])
        assert query["X-Amz-SignedHeaders"] == ["content-length;host"]
        assert signed.headers == {"Content-Length": str(signed.size_bytes)}
    # The upload may take MULTIPART_UPLOAD_SECONDS; each URL lives UPLOAD_URL_SECONDS.
    lifetime = timedelta(seconds=files_settings.multipart_upload_seconds)
    assert before + lifetime <= answer.expires_at <= datetime.now(UTC) + lifetime
    assert answer.urls_expire_at <= datetime.now(UTC) + timedelta(seconds=files_settings.upload_url_seconds)
    claim = verify_upload_token(files_settings.upload_token_secret, answer.upload_token)
    assert claim.expires_at == (
        answer.expires_at + timedelta(seconds=files_settings.reservation_grace_seconds)
    ).replace(microsecond=0)

    row = await session.get(Upload, answer.score_id)
    assert row is not None
    assert (row.status, row.multipart_upload_id, row.part_size, row.size_bytes) == (
        UploadStatus.RESERVED,
        "upload-id/1",
        part,
        size,
    )
    assert row.multipart_completed_at is None
    # The whole file counts against the quota from the start, as a single PUT's would.
    with pytest.raises(QuotaExceeded) as refused:
        await uploads.create_upload_url(session, user_id, upload_in(1001, resumable=False))
    assert refused.value.extra["used_bytes"] == size


def test_the_complete_body_names_each_part_once() -> None:
    assert CompleteUploadIn.model_validate({}).parts == []
    with pytest.raises(ValidationError, match="each part_number at most once"):
        CompleteUploadIn.model_validate(
            {"parts": [{"part_number": 1, "etag": "a"}, {"part_number": 1, "etag": "b"}]}
        )


def test_settings_keep_to_s3s_limits(files_settings: FilesSettings) -> None:
    values = files_settings.model_dump()
    with pytest.raises(ValidationError, match="multipart_part_bytes"):
        FilesSettings(**(values | {"multipart_part_bytes": 5 * MB - 1}))
    # One CopyObject copies at most 5 GiB: verification copies an upload in one.
    with pytest.raises(ValidationError, match="max_upload_bytes"):
        FilesSettings(**(values | {"max_upload_bytes": 5 * 1024 * MB + 1}))


def test_a_staging_key_names_its_score() -> None:
    user_id, score_id = uuid.uuid4(), uuid.uuid4()
    assert _staging_score_id(staging_key(user_id, score_id)) == score_id
    assert _staging_score_id("staging/somebody/not-a-uuid.pdf") is None


class _ListingOnly:
    """A bucket listing of one page, the way aiobotocore's paginator yields it."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.bucket = "scores"
        self.s3 = self

    def get_paginator(self, name: str) -> "_ListingOnly":
        assert name == "list_objects_v2"
        return self

    async def paginate(self, **_: Any) -> AsyncIterator[dict[str, Any]]:
        when = datetime(2024, 1, 1, tzinfo=UTC)
        yield {"Contents": [{"Key": key, "LastModified": when} for key in self.keys]}


async def test_the_reconciliation_never_counts_the_parts_of_an_upload_in_progress(
    files_settings: FilesSettings,
) -> None:
    """SeaweedFS keeps them under `.uploads/` in the bucket (its listing hides them today)."""
    storage = _ListingOnly([".uploads/7f3a/0001_1.part", "u/scores/s/original.pdf", "staging/u/s.pdf"])
    reconciler = Reconciler(files_settings, storage)
    listed = [obj.key async for obj in reconciler._listed_objects("")]
    assert listed == ["u/scores/s/original.pdf", "staging/u/s.pdf"]


async def test_storage_out_of_reach_is_a_503_to_retry_not_a_server_error(
    session: AsyncSession,
    files_parts: FilesParts,
    files_settings: FilesSettings,
    monkeypatch: pytest.MonkeyPatch,
):
    async def unreachable(storage: ObjectStorage, key: str, content_type: str) -> str:
        raise EndpointConnectionError(endpoint_url="http://storage.invalid")

    monkeypatch.setattr(resumable, "create_multipart", unreachable)
    size = files_settings.multipart_threshold_bytes + 1
    with pytest.raises(StorageUnavailable) as refused:
        await files_parts.uploads.create_upload_url(session, uuid.uuid4(), upload_in(size, resumable=True))
    assert (refused.value.status, refused.value.headers) == (503, {"Retry-After": "2"})


def test_a_part_sent_again_is_chosen_by_its_size_or_by_the_etag_the_client_names():
    score = uuid.uuid4()
    sizes = [10, 4]
    refused, resent, last = StoredPart(1, 3, "aa"), StoredPart(1, 10, "bb"), StoredPart(2, 4, "cc")
    # Storage lists the part it replaced too, in any order: the one of the announced size is joined.
    assert choose_parts([resent, refused, last], sizes, {}, score) == [resent, last]
    assert choose_parts([refused, resent, last], sizes, {}, score) == [resent, last]
    # Two of the announced size with other bytes: the client names the one it sent last.
    other = StoredPart(1, 10, "dd")
    with pytest.raises(PartAmbiguous):
        choose_parts([resent, other, last], sizes, {}, score)
    assert choose_parts([resent, other, last], sizes, {1: "dd"}, score) == [other, last]
    with pytest.raises(PartEtagMismatch):
        choose_parts([resent, last], sizes, {1: "ee"}, score)
    with pytest.raises(PartSizeMismatch):
        choose_parts([refused, last], sizes, {}, score)
    with pytest.raises(UploadIncomplete):
        choose_parts([resent], sizes, {}, score)
