"""Files decisions: reservations against the quota, verification, the object index, deletions."""

import logging
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from botocore.exceptions import ClientError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.models import AccessLogEntry, Quota, StoredObject, Upload
from scoremate_files.schemas import DownloadUrlOut, UploadUrlIn, UploadUrlOut
from scoremate_files.settings import FilesSettings
from scoremate_files.verification import Verdict, verify_stream
from scoremate_shared.db import Database
from scoremate_shared.errors import Conflict, Forbidden, InvalidInput, NotFound, ProblemError
from scoremate_shared.events import (
    AdminActionRecordedV1,
    QuotaChangedV1,
    ScoreUploadedV1,
    StorageReleasedV1,
    ThumbnailsGeneratedV1,
    UploadRejectedV1,
)
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.storage import ObjectStorage, original_key, score_prefix
from scoremate_shared.telemetry.logs import request_id_var
from scoremate_shared.upload_token import UploadClaim, issue_upload_token

if TYPE_CHECKING:
    from types_aiobotocore_s3.type_defs import ObjectIdentifierTypeDef

log = logging.getLogger(__name__)
PRODUCER = "files"
PAGE_KEY = re.compile(r"/thumbs/page-(\d+)\.jpg$")


class FileTooLarge(ProblemError):
    status, slug, title = 413, "file-too-large", "File too large"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class QuotaExceeded(Forbidden):
    slug, title = "quota-exceeded", "Storage quota exceeded"


class DuplicateUpload(Conflict):
    slug, title = "duplicate-score", "You already have this file"


# Statuses whose bytes count against the quota (a reservation until it is released).
HOLDING = ("reserved", "claimed", "stored")


def check_quota(*, total_bytes: int, held_bytes: int, size_bytes: int) -> None:
    """Refuse an upload that would take the user's stored plus reserved bytes over the quota."""
    if held_bytes + size_bytes > total_bytes:
        free = max(total_bytes - held_bytes, 0)
        raise QuotaExceeded(
            f"This file needs {size_bytes} bytes; {free} of your {total_bytes} bytes are free",
            total_bytes=total_bytes,
            used_bytes=held_bytes,
        )


class FilesService:
    def __init__(self, settings: FilesSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    # --- upload URLs ------------------------------------------------------------------------

    async def create_upload_url(
        self, session: AsyncSession, user_id: uuid.UUID, data: UploadUrlIn
    ) -> UploadUrlOut:
        settings = self.settings
        if data.size_bytes <= 0:
            raise InvalidInput("The file is empty (size_bytes must be at least 1)", field="size_bytes")
        if data.size_bytes > settings.max_upload_bytes:
            raise FileTooLarge(f"Uploads are limited to {settings.max_upload_bytes} bytes")
        if data.mime not in settings.allowed_mimes:
            raise UnsupportedMediaType(f"Only {', '.join(settings.allowed_mimes)} can be uploaded")

        quota = await self._lock_quota(session, user_id)
        existing = await session.scalar(
            sa.select(Upload.score_id).where(
                Upload.user_id == user_id,
                Upload.content_hash == data.content_hash,
                Upload.status.in_(("claimed", "stored")),
            )
        )
        if existing is not None:
            raise DuplicateUpload("A score with this content already exists", existing_score_id=str(existing))
        held = await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Upload.size_bytes), 0)).where(
                Upload.user_id == user_id, Upload.status.in_(HOLDING)
            )
        )
        check_quota(total_bytes=quota.total_bytes, held_bytes=int(held or 0), size_bytes=data.size_bytes)

        score_id = uuid.uuid4()
        key = original_key(user_id, score_id)
        url, headers, expires_at = self.storage.presign_put(
            key, data.mime, data.size_bytes, settings.upload_url_seconds
        )
        session.add(
            Upload(
                score_id=score_id,
                user_id=user_id,
                object_key=key,
                filename=data.filename,
                size_bytes=data.size_bytes,
                mime=data.mime,
                content_hash=data.content_hash,
                status="reserved",
                expires_at=expires_at,
            )
        )
        self._log_access(session, user_id, "upload_url", score_id, key)
        token = issue_upload_token(
            settings.upload_token_secret,
            UploadClaim(
                user_id=user_id,
                score_id=score_id,
                object_key=key,
                size_bytes=data.size_bytes,
                mime=data.mime,
                content_hash=data.content_hash,
                filename=data.filename,
                expires_at=expires_at + timedelta(seconds=settings.reservation_grace_seconds),
            ),
        )
        await session.commit()
        return UploadUrlOut(
            score_id=score_id, upload_token=token, url=url, headers=headers, expires_at=expires_at
        )

    async def _lock_quota(self, session: AsyncSession, user_id: uuid.UUID) -> Quota:
        """The user's quota row, locked: concurrent upload-url calls of one user take turns."""
        await session.execute(
            insert(Quota)
            .values(user_id=user_id, plan="solo", total_bytes=self.settings.default_quota_bytes)
            .on_conflict_do_nothing(index_elements=[Quota.user_id])
        )
        quota = await session.scalar(sa.select(Quota).where(Quota.user_id == user_id).with_for_update())
        assert quota is not None
        return quota

    async def apply_quota(self, session: AsyncSession, event: QuotaChangedV1) -> None:
        await session.execute(
            insert(Quota)
            .values(user_id=event.user_id, plan=event.plan, total_bytes=event.total_bytes)
            .on_conflict_do_update(
                index_elements=[Quota.user_id],
                set_={"plan": event.plan, "total_bytes": event.total_bytes, "updated_at": sa.func.now()},
            )
        )

    # --- verification of a claimed upload ---------------------------------------------------

    async def verify_claimed_upload(self, db: Database, score_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """ScoreCreated: check the object, then publish ScoreUploaded or UploadRejected."""
        async with db.session() as session:
            upload = await session.get(Upload, score_id, with_for_update=True)
            if upload is None or upload.user_id != user_id:
                await add_event(
                    session,
                    UploadRejectedV1(
                        score_id=score_id, user_id=user_id, reason="no upload was reserved for this score"
                    ),
                    PRODUCER,
                )
                await session.commit()
                return
            if upload.status == "released":
                await self._reject(session, upload, "the upload expired before the score was created")
                await session.commit()
                return
            if upload.status != "reserved" and upload.status != "claimed":
                return  # already verified: a duplicate delivery
            upload.status = "claimed"
            expected = (upload.object_key, upload.size_bytes, upload.content_hash)
            await session.commit()

        verdict = await self._inspect(*expected)

        async with db.session() as session:
            upload = await session.get(Upload, score_id, with_for_update=True)
            if upload is None or upload.status != "claimed":
                return  # verified by a concurrent delivery, or the score was deleted meanwhile
            if verdict.ok:
                upload.status = "stored"
                await session.execute(
                    insert(StoredObject)
                    .values(
                        key=upload.object_key,
                        user_id=upload.user_id,
                        score_id=upload.score_id,
                        kind="original",
                        size_bytes=upload.size_bytes,
                    )
                    .on_conflict_do_nothing(index_elements=[StoredObject.key])
                )
                await add_event(
                    session,
                    ScoreUploadedV1(
                        score_id=upload.score_id,
                        user_id=upload.user_id,
                        object_key=upload.object_key,
                        size_bytes=upload.size_bytes,
                        mime=upload.mime,
                        content_hash=upload.content_hash,
                    ),
                    PRODUCER,
                )
            else:
                await self._reject(session, upload, verdict.reason or "the file was refused")
            await session.commit()
        if not verdict.ok:
            await self._delete_keys([expected[0]])

    async def _inspect(self, key: str, size_bytes: int, content_hash: str) -> Verdict:
        s3 = self.storage.s3
        try:
            head = await s3.head_object(Bucket=self.storage.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return Verdict(False, "the file was not uploaded")
            raise
        if head["ContentLength"] != size_bytes:
            return Verdict(
                False, f"the file has {head['ContentLength']} bytes, not the {size_bytes} announced"
            )
        response = await s3.get_object(Bucket=self.storage.bucket, Key=key)
        body = response["Body"]

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in body.iter_chunks(self.settings.verify_chunk_bytes):
                yield chunk

        try:
            return await verify_stream(chunks(), size_bytes=size_bytes, content_hash=content_hash)
        finally:
            body.close()

    async def _reject(self, session: AsyncSession, upload: Upload, reason: str) -> None:
        upload.status = "rejected"
        upload.reason = reason
        await add_event(
            session,
            UploadRejectedV1(score_id=upload.score_id, user_id=upload.user_id, reason=reason),
            PRODUCER,
        )

    # --- the object index -------------------------------------------------------------------

    async def index_thumbnails(self, session: AsyncSession, event: ThumbnailsGeneratedV1) -> None:
        rows: list[dict[str, Any]] = [{"key": event.cover_key, "kind": "cover", "page": None}]
        for key in event.page_keys:
            # thumbs/page-0007.jpg is page 7 (a page that failed to render has no key).
            match = PAGE_KEY.search(key)
            if match:
                rows.append({"key": key, "kind": "page", "page": int(match.group(1))})
        for row in rows:
            await session.execute(
                insert(StoredObject)
                .values(user_id=event.user_id, score_id=event.score_id, size_bytes=0, **row)
                .on_conflict_do_nothing(index_elements=[StoredObject.key])
            )

    async def download_url(
        self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID, page: int | None
    ) -> DownloadUrlOut:
        upload = await session.get(Upload, score_id)
        if upload is None or upload.user_id != user_id or upload.status != "stored":
            raise NotFound("No such score")
        download_name: str | None = None
        if page is None:
            key = upload.object_key
            # The original PDF is saved, never shown from the API's own origin.
            download_name = upload.filename
        else:
            key_or_none = await session.scalar(
                sa.select(StoredObject.key).where(
                    StoredObject.score_id == score_id, StoredObject.kind == "page", StoredObject.page == page
                )
            )
            if key_or_none is None:
                raise NotFound(f"Page {page} has no thumbnail")
            key = key_or_none
        url, expires_at = self.storage.presign_get(key, download_name=download_name)
        self._log_access(session, user_id, "download", score_id, key)
        await session.commit()
        return DownloadUrlOut(url=url, expires_at=expires_at)

    # --- deletions --------------------------------------------------------------------------

    async def release_score(
        self, db: Database, score_id: uuid.UUID, user_id: uuid.UUID, event_id: uuid.UUID
    ) -> None:
        """ScoreDeleted: every object of the score leaves the bucket, then its bytes are released."""
        await self._delete_prefix(score_prefix(user_id, score_id))
        async with db.session() as session:
            upload = await session.get(Upload, score_id, with_for_update=True)
            if upload is None or upload.user_id != user_id or upload.status == "released":
                return
            was_stored = upload.status == "stored"
            upload.status = "released"
            upload.reason = "score deleted"
            await session.execute(sa.delete(StoredObject).where(StoredObject.score_id == score_id))
            self._log_access(session, user_id, "delete", score_id, score_prefix(user_id, score_id))
            if was_stored:
                await add_event(
                    session,
                    StorageReleasedV1(user_id=user_id, score_id=score_id, bytes=upload.size_bytes),
                    PRODUCER,
                )
            await session.commit()

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        """UserDeleted: every object under the user's prefix and every row of the user."""
        await self._delete_prefix(f"{user_id}/")
        async with db.session() as session:
            for model in (StoredObject, Upload, AccessLogEntry, Quota):
                await session.execute(sa.delete(model).where(model.user_id == user_id))
            await session.commit()

    async def sweep_expired(self, db: Database, now: datetime | None = None, batch: int = 100) -> int:
        """Release reservations never claimed once their URL expired plus the grace period."""
        cutoff = (now or datetime.now(UTC)) - timedelta(seconds=self.settings.reservation_grace_seconds)
        async with db.session() as session:
            expired = list(
                (
                    await session.scalars(
                        sa.select(Upload)
                        .where(Upload.status == "reserved", Upload.expires_at < cutoff)
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
            )
            if not expired:
                return 0
            await self._delete_keys([upload.object_key for upload in expired])
            for upload in expired:
                upload.status = "released"
                upload.reason = "upload URL expired unclaimed"
            await session.commit()
        log.info("released %d expired reservations", len(expired))
        return len(expired)

    async def _delete_prefix(self, prefix: str) -> None:
        s3 = self.storage.s3
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.storage.bucket, Prefix=prefix):
            keys = [item["Key"] for item in page.get("Contents", [])]
            await self._delete_keys(keys)

    async def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            objects: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in keys[start : start + 1000]]
            await self.storage.s3.delete_objects(
                Bucket=self.storage.bucket, Delete={"Objects": objects, "Quiet": True}
            )

    @staticmethod
    def log_admin_action(session: AsyncSession, event: AdminActionRecordedV1) -> None:
        session.add(
            AccessLogEntry(
                user_id=event.actor_id,
                action=f"admin:{event.action}",
                object_key=f"{event.service}: {event.target}"[:1000],
                request_id=event.request_id,
            )
        )

    @staticmethod
    def _log_access(
        session: AsyncSession, user_id: uuid.UUID, action: str, score_id: uuid.UUID | None, key: str | None
    ) -> None:
        session.add(
            AccessLogEntry(
                user_id=user_id,
                action=action,
                score_id=score_id,
                object_key=key,
                request_id=request_id_var.get(),
            )
        )
