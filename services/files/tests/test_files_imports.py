"""An import's scores in files (issue 15), against the migrated schema: reserved under the quota
lock or refused whole, verified from the PDF the exports service extracted as any upload is, and
left alone by the sweeper and the reconciliation (the exports service owns those objects)."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from botocore.exceptions import ClientError
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.context import FilesParts
from scoremate_files.models import AccessAction, AccessLogEntry, Upload, UploadStatus
from scoremate_files.reconciliation import Reconciler
from scoremate_files.settings import FilesSettings
from scoremate_files.sweeper import Sweeper
from scoremate_files.uploads import UploadService
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ImportAcceptedV1,
    ImportedScore,
    ImportedSetlist,
    QuotaChangedV1,
)
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.storage import ObjectStorage, original_key

from .test_files_service_db import stored_upload

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def imported(
    user_id: uuid.UUID, import_id: uuid.UUID, n: int, data: bytes = b"", size: int = 0
) -> ImportedScore:
    data = data or PDF + f"%{uuid.uuid4()}\n".encode()
    return ImportedScore(
        score_id=uuid.uuid4(),
        source_key=f"imports/{user_id}/{import_id}/scores/{n}.pdf",
        filename=f"Score {n}.pdf",
        size_bytes=size or len(data),
        content_hash=hashlib.sha256(data).hexdigest(),
        title=f"Score {n}",
    )


def accepted(
    user_id: uuid.UUID, scores: list[ImportedScore], import_id: uuid.UUID | None = None
) -> ImportAcceptedV1:
    return ImportAcceptedV1(
        import_id=import_id or uuid.uuid4(),
        user_id=user_id,
        scores=scores,
        setlists=[ImportedSetlist(title="Tonight", score_ids=[s.score_id for s in scores])],
    )


async def published(session: AsyncSession, event_type: str) -> list[dict[str, Any]]:
    envelopes = await session.scalars(
        sa.select(outbox_table.c.envelope)
        .where(outbox_table.c.envelope["type"].astext == event_type)
        .order_by(outbox_table.c.id)
    )
    return [envelope["data"] for envelope in envelopes]


async def set_quota(session: AsyncSession, uploads: UploadService, user_id: uuid.UUID, total: int) -> None:
    await uploads.apply_quota(
        session, QuotaChangedV1(user_id=user_id, plan="solo", total_bytes=total, used_bytes=0, reason="test")
    )


async def test_an_accepted_import_reserves_its_new_scores_and_hands_them_to_the_library(
    session: AsyncSession, files_parts: FilesParts, files_settings: FilesSettings
):
    user_id = uuid.uuid4()
    await set_quota(session, files_parts.uploads, user_id, 100_000)
    already = stored_upload(user_id)  # content the user has: left out
    session.add(already)
    await session.flush()
    import_id = uuid.uuid4()
    fresh = [imported(user_id, import_id, n) for n in range(2)]
    duplicate = imported(user_id, import_id, 2).model_copy(update={"content_hash": already.content_hash})
    too_large = imported(user_id, import_id, 3, size=files_settings.max_upload_bytes + 1)
    event = accepted(user_id, [fresh[0], duplicate, fresh[1], too_large], import_id)
    before = datetime.now(UTC)

    await files_parts.uploads.reserve_import(session, event)

    uploads = {
        u.score_id: u for u in await session.scalars(sa.select(Upload).where(Upload.user_id == user_id))
    }
    assert set(uploads) == {already.score_id, *(s.score_id for s in fresh)}
    for score in fresh:
        upload = uploads[score.score_id]
        assert upload.status == UploadStatus.RESERVED
        assert (upload.staging_key, upload.object_key) == (
            score.source_key,
            original_key(user_id, score.score_id),
        )
        assert (upload.filename, upload.size_bytes, upload.content_hash) == (
            score.filename,
            score.size_bytes,
            score.content_hash,
        )
        assert upload.from_import
        # Generous: the library may be down a while before it creates the scores.
        assert upload.expires_at >= before + timedelta(seconds=files_settings.import_reservation_seconds)
    logged = (
        await session.execute(
            sa.select(AccessLogEntry.action, AccessLogEntry.score_id, AccessLogEntry.object_key).where(
                AccessLogEntry.user_id == user_id
            )
        )
    ).all()
    assert sorted(logged) == sorted((AccessAction.IMPORT, s.score_id, s.source_key) for s in fresh)
    [reserved] = [
        e for e in await published(session, "ImportFilesReserved") if e["import_id"] == str(import_id)
    ]
    assert [s["score_id"] for s in reserved["scores"]] == [str(s.score_id) for s in fresh]
    assert reserved["setlists"] == [s.model_dump(mode="json") for s in event.setlists]
    assert not [e for e in await published(session, "ImportRefused") if e["import_id"] == str(import_id)]


async def test_an_import_that_does_not_fit_the_quota_is_refused_whole(
    session: AsyncSession, files_parts: FilesParts
):
    user_id = uuid.uuid4()
    await set_quota(session, files_parts.uploads, user_id, 2500)
    session.add(stored_upload(user_id))  # 1000 bytes held
    await session.flush()
    import_id = uuid.uuid4()
    event = accepted(user_id, [imported(user_id, import_id, n, size=1000) for n in range(2)], import_id)

    await files_parts.uploads.reserve_import(session, event)

    statuses = (await session.scalars(sa.select(Upload.status).where(Upload.user_id == user_id))).all()
    assert statuses == [UploadStatus.STORED]  # nothing reserved
    [refused] = [
        e for e in await published(session, "ImportRefused") if e["import_id"] == str(event.import_id)
    ]
    assert refused["reason"] == "The import needs 2000 bytes; 1500 of your 2500 bytes are free"
    assert not [
        e for e in await published(session, "ImportFilesReserved") if e["import_id"] == str(import_id)
    ]


async def test_one_content_reserved_by_another_import_is_not_reserved_twice(
    session: AsyncSession, files_parts: FilesParts
):
    user_id = uuid.uuid4()
    await set_quota(session, files_parts.uploads, user_id, 100_000)
    first = accepted(user_id, [imported(user_id, uuid.uuid4(), 0)])
    again = imported(user_id, uuid.uuid4(), 0).model_copy(
        update={"content_hash": first.scores[0].content_hash}
    )
    await files_parts.uploads.reserve_import(session, first)
    await files_parts.uploads.reserve_import(session, accepted(user_id, [again]))
    reserved = (await session.scalars(sa.select(Upload.score_id).where(Upload.user_id == user_id))).all()
    assert reserved == [first.scores[0].score_id]


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def iter_chunks(self, size: int) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), size):
            yield self.data[start : start + size]

    def close(self) -> None:
        pass


class MemoryBucket:
    """The S3 calls verification and the sweeper make, over a dict (the stack tests use SeaweedFS)."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = dict(objects)
        self.bucket = "scores"
        self.s3 = self
        self.deleted: list[str] = []

    async def head_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "404"}}, "HeadObject")
        return {"ContentLength": len(self.objects[Key])}

    async def copy_object(self, Bucket: str, Key: str, CopySource: dict[str, str]) -> None:
        self.objects[Key] = self.objects[CopySource["Key"]]

    async def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        return {"Body": _Body(self.objects[Key])}

    async def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> None:
        for item in Delete["Objects"]:
            self.deleted.append(item["Key"])
            self.objects.pop(item["Key"], None)

    # ObjectStorage's own batching over the client calls above.
    delete_keys = ObjectStorage.delete_keys


async def test_a_created_imported_score_is_copied_from_the_extracted_pdf_verified_and_the_pdf_deleted(
    files_db: Database, files_settings: FilesSettings
):
    """ScoreCreated of an imported score takes an upload's usual path from its staging key."""
    user_id = uuid.uuid4()
    data = PDF + b"%imported\n"
    score = imported(user_id, uuid.uuid4(), 0, data=data)
    bucket = MemoryBucket({score.source_key: data})
    uploads = UploadService(files_settings, bucket)
    async with files_db.transaction() as session:
        await set_quota(session, uploads, user_id, 100_000)
        await uploads.reserve_import(session, accepted(user_id, [score]))

    await uploads.verify_claimed_upload(files_db, score.score_id, user_id)

    final = original_key(user_id, score.score_id)
    assert bucket.objects == {final: data}  # copied, then the extracted PDF deleted
    async with files_db.session() as session:
        upload = await session.get(Upload, score.score_id)
        assert upload is not None
        assert upload.status == UploadStatus.STORED
        [stored] = [
            e for e in await published(session, "ScoreUploaded") if e["score_id"] == str(score.score_id)
        ]
    assert (stored["object_key"], stored["size_bytes"], stored["content_hash"]) == (
        final,
        len(data),
        score.content_hash,
    )


async def test_the_sweeper_releases_an_expired_import_reservation_but_leaves_its_pdf_to_exports(
    files_db: Database, files_settings: FilesSettings
):
    user_id = uuid.uuid4()
    score = imported(user_id, uuid.uuid4(), 0)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    bucket = MemoryBucket({score.source_key: PDF})
    uploads = UploadService(files_settings, bucket)
    async with files_db.transaction() as session:
        await set_quota(session, uploads, user_id, 100_000)
        await uploads.reserve_import(session, accepted(user_id, [score]))
    sweeper = Sweeper(files_settings, bucket)

    # Not before its own (long) expiry: a day of the library being away changes nothing.
    await sweeper.sweep_expired(files_db, now=datetime.now(UTC) + timedelta(hours=12))
    async with files_db.session() as session:
        upload = await session.get(Upload, score.score_id)
        assert upload is not None
        assert upload.status == UploadStatus.RESERVED

    async with files_db.transaction() as session:
        await session.execute(
            sa.update(Upload).where(Upload.score_id == score.score_id).values(expires_at=long_ago)
        )
    while await sweeper.sweep_expired(files_db):
        pass
    await sweeper.sweep_staging(files_db)
    async with files_db.session() as session:
        upload = await session.get(Upload, score.score_id)
        assert upload is not None
        assert (upload.status, upload.staging_cleared_at is not None) == (UploadStatus.RELEASED, True)
    assert score.source_key not in bucket.deleted
    assert score.source_key in bucket.objects


class _Listing:
    """A bucket listing of one page, the way aiobotocore's paginator yields it."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.bucket = "scores"
        self.s3 = self

    def get_paginator(self, name: str) -> "_Listing":
        return self

    async def paginate(self, **_: Any) -> AsyncIterator[dict[str, Any]]:
        when = datetime(2024, 1, 1, tzinfo=UTC)
        yield {"Contents": [{"Key": key, "LastModified": when} for key in self.keys]}


async def test_the_reconciliation_leaves_the_exports_services_objects_out(files_settings: FilesSettings):
    user, export = uuid.uuid4(), uuid.uuid4()
    listing = _Listing(
        [
            f"exports/{user}/{export}/archive.zip",
            f"imports/{user}/{export}/scores/0.pdf",
            "imports/staging/u/i.zip",
            "reports/monthly/2026-10.json",
            f"{user}/scores/s/original.pdf",
            "staging/u/s.pdf",
        ]
    )
    listed = [obj.key async for obj in Reconciler(files_settings, listing)._listed_objects("")]
    assert listed == [f"{user}/scores/s/original.pdf", "staging/u/s.pdf"]
