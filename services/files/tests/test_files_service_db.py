"""Files' service logic against its migrated schema (the middle tier: no stack). Most tests work in
a transaction that is rolled back; the verification tests run its flow of several transactions
on rows of their own (random ids), as it runs in the service."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.context import FilesParts
from scoremate_files.models import AccessAction, AccessLogEntry, Upload, UploadStatus
from scoremate_files.schemas import AccessLogFilter, UploadUrlIn
from scoremate_files.service import ScoreNotFound, ThumbnailNotFound
from scoremate_files.uploads import DuplicateUpload, QuotaExceeded
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.events import QuotaChangedV1, ThumbnailsGeneratedV1
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.storage import original_key, staging_key


def upload_in(size_bytes: int, content: str = "") -> UploadUrlIn:
    content = content or str(uuid.uuid4())
    return UploadUrlIn(
        filename="Air.pdf",
        size_bytes=size_bytes,
        mime="application/pdf",
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
    )


def quota(user_id: uuid.UUID, total_bytes: int) -> QuotaChangedV1:
    return QuotaChangedV1(user_id=user_id, plan="solo", total_bytes=total_bytes, used_bytes=0, reason="test")


def stored_upload(user_id: uuid.UUID, status: UploadStatus = UploadStatus.STORED) -> Upload:
    score_id = uuid.uuid4()
    return Upload(
        score_id=score_id,
        user_id=user_id,
        object_key=original_key(user_id, score_id),
        staging_key=staging_key(user_id, score_id),
        filename="Air.pdf",
        size_bytes=1000,
        mime="application/pdf",
        content_hash="0" * 64,
        status=status,
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
    )


async def outbox_events(session: AsyncSession, score_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    envelopes = await session.scalars(
        sa.select(outbox_table.c.envelope)
        .where(outbox_table.c.envelope["data"]["score_id"].astext == str(score_id))
        .order_by(outbox_table.c.id)
    )
    return [(envelope["type"], envelope["data"]) for envelope in envelopes]


async def test_reserved_and_stored_bytes_count_against_the_quota_until_released(
    session: AsyncSession, files_parts: FilesParts
):
    uploads, user_id = files_parts.uploads, uuid.uuid4()
    await uploads.apply_quota(session, quota(user_id, 2000))
    await uploads.apply_quota(session, quota(user_id, 1000))  # the latest announcement counts
    first = await uploads.create_upload_url(session, user_id, upload_in(600))
    with pytest.raises(QuotaExceeded) as refused:
        await uploads.create_upload_url(session, user_id, upload_in(500))
    assert refused.value.extra == {"total_bytes": 1000, "used_bytes": 600}
    await uploads.create_upload_url(session, user_id, upload_in(400))  # exactly full

    reserved = await session.get(Upload, first.score_id)
    assert reserved is not None
    # The stored value is the enum's plain string, as before the enum existed.
    raw = await session.scalar(
        sa.text("SELECT status FROM uploads WHERE score_id = :id"), {"id": first.score_id}
    )
    assert raw == "reserved"
    reserved.status = UploadStatus.RELEASED
    await session.flush()
    await uploads.create_upload_url(session, user_id, upload_in(500))
    logged = await session.scalars(sa.select(AccessLogEntry.action).where(AccessLogEntry.user_id == user_id))
    assert list(logged) == [AccessAction.UPLOAD_URL] * 3


async def test_only_a_claimed_or_stored_file_is_a_duplicate(session: AsyncSession, files_parts: FilesParts):
    uploads, user_id = files_parts.uploads, uuid.uuid4()
    first = await uploads.create_upload_url(session, user_id, upload_in(100, "same bytes"))
    # A reservation never used does not block the same file again (the client may retry).
    await uploads.create_upload_url(session, user_id, upload_in(100, "same bytes"))
    # Another user's copy of the file is no duplicate of mine.
    await uploads.create_upload_url(session, uuid.uuid4(), upload_in(100, "same bytes"))

    claimed = await session.get(Upload, first.score_id)
    assert claimed is not None
    claimed.status = UploadStatus.CLAIMED
    await session.flush()
    with pytest.raises(DuplicateUpload) as duplicate:
        await uploads.create_upload_url(session, user_id, upload_in(100, "same bytes"))
    assert duplicate.value.extra == {"existing_score_id": str(first.score_id)}


async def test_a_download_url_is_only_for_the_owners_stored_score_and_its_indexed_pages(
    session: AsyncSession, files_parts: FilesParts
):
    files, owner, other = files_parts.files, uuid.uuid4(), uuid.uuid4()
    stored, reserved = stored_upload(owner), stored_upload(owner, UploadStatus.RESERVED)
    session.add_all([stored, reserved])
    await session.flush()

    with pytest.raises(ScoreNotFound):
        await files.download_url(session, other, stored.score_id, None)
    with pytest.raises(ScoreNotFound):
        await files.download_url(session, owner, reserved.score_id, None)
    with pytest.raises(ThumbnailNotFound):
        await files.download_url(session, owner, stored.score_id, 2)

    prefix = stored.object_key.removesuffix("original.pdf")
    thumbnails = ThumbnailsGeneratedV1(
        score_id=stored.score_id,
        user_id=owner,
        cover_key=f"{prefix}cover.jpg",
        page_keys=[f"{prefix}thumbs/page-0001.jpg", f"{prefix}thumbs/page-0002.jpg"],
    )
    for _ in range(2):  # indexing twice is indexing once
        await files.index_thumbnails(session, thumbnails)
    page = await files.download_url(session, owner, stored.score_id, 2)
    assert "thumbs/page-0002.jpg" in page.url
    original = await files.download_url(session, owner, stored.score_id, None)
    assert "original.pdf" in original.url
    await session.flush()  # the session does not autoflush: the downloads' log entries go now

    admin = Principal(uuid.uuid4(), roles=frozenset({"admin"}))
    listed = await files.list_objects(session, admin, owner, page=1, page_size=2)
    assert (listed.total, len(listed.items)) == (3, 2)  # the cover and two pages (the original has no row)
    assert {item.kind for item in listed.items} <= {"cover", "page"}
    log = await files.list_access_log(
        session, admin, AccessLogFilter(user_id=owner, action=AccessAction.DOWNLOAD), page=1, page_size=20
    )
    assert [(entry.score_id, entry.object_key) for entry in log.items] == [
        (stored.score_id, stored.object_key),
        (stored.score_id, thumbnails.page_keys[1]),
    ]
    admin_actions = await session.scalars(
        sa.select(outbox_table.c.envelope["data"]["action"].astext).where(
            outbox_table.c.envelope["data"]["actor_id"].astext == str(admin.user_id)
        )
    )
    assert sorted(admin_actions) == ["list_files", "read_access_log"]


async def test_a_claim_without_a_reservation_is_rejected_and_says_so(
    files_db: Database, files_parts: FilesParts
):
    score_id, user_id = uuid.uuid4(), uuid.uuid4()
    await files_parts.uploads.verify_claimed_upload(files_db, score_id, user_id)
    async with files_db.session() as session:
        assert await outbox_events(session, score_id) == [
            (
                "UploadRejected",
                {
                    "score_id": str(score_id),
                    "user_id": str(user_id),
                    "reason": "no upload was reserved for this score",
                },
            )
        ]


async def test_a_claim_after_the_reservation_expired_is_rejected_once(
    files_db: Database, files_parts: FilesParts
):
    released = stored_upload(uuid.uuid4(), UploadStatus.RELEASED)
    async with files_db.transaction() as session:
        session.add(released)
    for _ in range(2):  # the second delivery finds it rejected: nothing more happens
        await files_parts.uploads.verify_claimed_upload(files_db, released.score_id, released.user_id)
    async with files_db.session() as session:
        upload = await session.get(Upload, released.score_id)
        assert upload is not None
        assert (upload.status, upload.reason) == (
            UploadStatus.REJECTED,
            "the upload expired before the score was created",
        )
        assert [event_type for event_type, _ in await outbox_events(session, released.score_id)] == [
            "UploadRejected"
        ]
