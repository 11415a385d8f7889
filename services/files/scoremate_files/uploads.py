"""Uploads: a reservation against the quota with its presigned staging URL, the quota billing
announces, and the verification of a claimed upload (the copy to the final key, then its check)."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from botocore.exceptions import ClientError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.access_log import log_access
from scoremate_files.bucket import abort_multipart, delete_keys, is_not_found
from scoremate_files.models import (
    AWAITING_STAGING,
    HOLDING,
    PRODUCER,
    AccessAction,
    ObjectKind,
    Plan,
    Quota,
    StoredObject,
    Upload,
    UploadStatus,
)
from scoremate_files.resumable import ResumableUploadService
from scoremate_files.schemas import MultipartUploadUrlOut, UploadUrlIn, UploadUrlOut
from scoremate_files.settings import FilesSettings
from scoremate_files.verification import Verdict, verify_stream
from scoremate_shared.db import Database
from scoremate_shared.errors import Conflict, Forbidden, InvalidInput, ProblemError
from scoremate_shared.events import (
    ImportAcceptedV1,
    ImportedScore,
    ImportFilesReservedV1,
    ImportRefusedV1,
    QuotaChangedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
)
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.storage import ObjectStorage, original_key, staging_key
from scoremate_shared.upload_token import UploadClaim, issue_upload_token


class FileTooLarge(ProblemError):
    status, slug, title = 413, "file-too-large", "File too large"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class QuotaExceeded(Forbidden):
    slug, title = "quota-exceeded", "Storage quota exceeded"


class DuplicateUpload(Conflict):
    slug, title = "duplicate-score", "You already have this file"


def check_quota(*, total_bytes: int, held_bytes: int, size_bytes: int) -> None:
    """Refuse an upload that would take the user's stored plus reserved bytes over the quota."""
    if held_bytes + size_bytes > total_bytes:
        free = max(total_bytes - held_bytes, 0)
        raise QuotaExceeded(
            f"This file needs {size_bytes} bytes; {free} of your {total_bytes} bytes are free",
            total_bytes=total_bytes,
            used_bytes=held_bytes,
        )


@dataclass(frozen=True)
class CopiedUpload:
    """What the check of a copied upload compares the final object with."""

    score_id: uuid.UUID
    object_key: str
    size_bytes: int
    content_hash: str


class UploadService:
    def __init__(self, settings: FilesSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage
        self.resumable = ResumableUploadService(settings, storage)

    # --- upload URLs ------------------------------------------------------------------------

    async def create_upload_url(
        self, session: AsyncSession, user_id: uuid.UUID, data: UploadUrlIn
    ) -> UploadUrlOut | MultipartUploadUrlOut:
        """Reserve the bytes and sign the staging URL (or start a multipart upload there and sign
        a URL per part); the request's commit makes the row exist before the client has a URL."""
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
                Upload.status.in_((UploadStatus.CLAIMED, UploadStatus.STORED)),
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
        # The client writes only its staging key; `key` is written once, by verification.
        upload_key = staging_key(user_id, score_id)
        upload = Upload(
            score_id=score_id,
            user_id=user_id,
            object_key=key,
            staging_key=upload_key,
            filename=data.filename,
            size_bytes=data.size_bytes,
            mime=data.mime,
            content_hash=data.content_hash,
            status=UploadStatus.RESERVED,
        )
        answer: UploadUrlOut | MultipartUploadUrlOut
        if self.resumable.wants_multipart(data.size_bytes, data.resumable):
            upload_id, part_size, expires_at = await self.resumable.begin(upload_key, data.mime)
            parts, urls_expire_at = self.resumable.part_urls(
                upload_key, upload_id, data.size_bytes, part_size
            )
            assert urls_expire_at is not None  # a file has at least one part
            upload.multipart_upload_id, upload.part_size = upload_id, part_size
            answer = MultipartUploadUrlOut(
                score_id=score_id,
                upload_token="",
                part_size=part_size,
                parts=parts,
                expires_at=expires_at,
                urls_expire_at=urls_expire_at,
            )
        else:
            url, headers, expires_at = self.storage.presign_put(
                upload_key, data.mime, data.size_bytes, settings.upload_url_seconds
            )
            answer = UploadUrlOut(
                score_id=score_id, upload_token="", url=url, headers=headers, expires_at=expires_at
            )
        upload.expires_at = expires_at
        session.add(upload)
        log_access(session, user_id, AccessAction.UPLOAD_URL, score_id, upload_key)
        answer.upload_token = issue_upload_token(
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
        await session.flush()
        return answer

    # --- imports -----------------------------------------------------------------------------

    async def reserve_import(self, session: AsyncSession, event: ImportAcceptedV1) -> None:
        """ImportAccepted: under the user's quota lock, an upload reserved for each score of the
        archive (its staging object is the PDF the exports service extracted), then
        ImportFilesReserved for the library to create them; or, when their bytes with what the
        user holds pass the quota, ImportRefused and nothing reserved.

        Left out (the library never hears of them): a score whose content the user already has
        (claimed or stored, or reserved by another import), one already reserved under its id,
        and one files would not take in an upload (too large, another type)."""
        settings, user_id = self.settings, event.user_id
        quota = await self._lock_quota(session, user_id)
        hashes = {score.content_hash for score in event.scores}
        ids = {score.score_id for score in event.scores}
        taken_hashes = set(
            (
                await session.scalars(
                    sa.select(Upload.content_hash).where(
                        Upload.user_id == user_id,
                        Upload.content_hash.in_(hashes),
                        sa.or_(
                            Upload.status.in_((UploadStatus.CLAIMED, UploadStatus.STORED)),
                            sa.and_(Upload.status == UploadStatus.RESERVED, Upload.from_import),
                        ),
                    )
                )
            ).all()
        )
        taken_ids = set(
            (await session.scalars(sa.select(Upload.score_id).where(Upload.score_id.in_(ids)))).all()
        )
        reserved: list[ImportedScore] = []
        for score in event.scores:
            if score.content_hash in taken_hashes or score.score_id in taken_ids:
                continue
            if score.size_bytes <= 0 or score.size_bytes > settings.max_upload_bytes:
                continue
            if score.mime not in settings.allowed_mimes:
                continue
            taken_hashes.add(score.content_hash)  # twice in one archive: the first one only
            reserved.append(score)
        held = int(
            await session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(Upload.size_bytes), 0)).where(
                    Upload.user_id == user_id, Upload.status.in_(HOLDING)
                )
            )
            or 0
        )
        needed = sum(score.size_bytes for score in reserved)
        if held + needed > quota.total_bytes:
            free = max(quota.total_bytes - held, 0)
            reason = f"The import needs {needed} bytes; {free} of your {quota.total_bytes} bytes are free"
            await add_event(
                session, ImportRefusedV1(import_id=event.import_id, user_id=user_id, reason=reason), PRODUCER
            )
            return
        # Verification copies from the staging key as for any upload; the sweeper releases an
        # unclaimed one only after this, and never deletes an import's object (exports owns them).
        expires_at = datetime.now(UTC) + timedelta(seconds=settings.import_reservation_seconds)
        for score in reserved:
            session.add(
                Upload(
                    score_id=score.score_id,
                    user_id=user_id,
                    object_key=original_key(user_id, score.score_id),
                    staging_key=score.source_key,
                    filename=score.filename,
                    size_bytes=score.size_bytes,
                    mime=score.mime,
                    content_hash=score.content_hash,
                    status=UploadStatus.RESERVED,
                    expires_at=expires_at,
                )
            )
            log_access(session, user_id, AccessAction.IMPORT, score.score_id, score.source_key)
        await add_event(
            session,
            ImportFilesReservedV1(
                import_id=event.import_id, user_id=user_id, scores=reserved, setlists=event.setlists
            ),
            PRODUCER,
        )
        await session.flush()

    async def _lock_quota(self, session: AsyncSession, user_id: uuid.UUID) -> Quota:
        """The user's quota row, locked: concurrent upload-url calls of one user take turns."""
        await session.execute(
            insert(Quota)
            .values(user_id=user_id, plan=Plan.SOLO, total_bytes=self.settings.default_quota_bytes)
            .on_conflict_do_nothing(index_elements=[Quota.user_id])
        )
        quota = await session.scalar(sa.select(Quota).where(Quota.user_id == user_id).with_for_update())
        assert quota is not None
        return quota

    async def apply_quota(self, session: AsyncSession, event: QuotaChangedV1) -> None:
        """The quota billing announced, checked from now on."""
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
        """ScoreCreated: copy the staging object to the final key, check the copy, then publish
        ScoreUploaded or UploadRejected.

        Spans several transactions because the check streams the whole object from storage: the
        claim and the copy commit under the row's lock, the check runs with no lock held, and its
        verdict commits under the lock again. The copy is checked, not the staging object: the
        client's URL may still be valid, and bytes it PUTs after the check must never become what
        was checked. The final key is written once per upload, so a second delivery finds it done."""
        copied = await self._claim_and_copy(db, score_id, user_id)
        if copied is None:
            return
        verdict = await self._inspect(copied)
        await self._conclude(db, copied, verdict)

    async def _claim_and_copy(
        self, db: Database, score_id: uuid.UUID, user_id: uuid.UUID
    ) -> CopiedUpload | None:
        """Claim the upload and copy its staging object to the final key, under the row's lock;
        what to check next, or None when the upload was refused or is already done."""
        copied: CopiedUpload | None = None
        staging: str | None = None
        unfinished_multipart: str | None = None
        async with db.transaction() as session:
            upload = await session.get(Upload, score_id, with_for_update=True)
            if upload is None or upload.user_id != user_id:
                await add_event(
                    session,
                    UploadRejectedV1(
                        score_id=score_id, user_id=user_id, reason="no upload was reserved for this score"
                    ),
                    PRODUCER,
                )
            elif upload.status == UploadStatus.RELEASED:
                await self._reject(session, upload, "the upload expired before the score was created")
            elif upload.status in AWAITING_STAGING:  # anything else: verified, a duplicate delivery
                upload.status = UploadStatus.CLAIMED
                staging = upload.staging_key  # None: reserved before staging keys, PUT to the final key
                refusal = None
                if staging is not None and upload.copied_at is None:
                    refusal = await self._copy_from_staging(staging, upload.object_key, upload.size_bytes)
                    if refusal is None:
                        upload.copied_at = datetime.now(UTC)
                    elif upload.multipart_upload_id is not None and upload.multipart_completed_at is None:
                        # Its parts can never become this score: they go with the refusal.
                        refusal = "the multipart upload was not completed"
                        unfinished_multipart = upload.multipart_upload_id
                if refusal is not None:
                    await self._reject(session, upload, refusal)
                else:
                    copied = CopiedUpload(score_id, upload.object_key, upload.size_bytes, upload.content_hash)
        if staging is not None:
            # Copied or refused, and committed: anything PUT there from now on is garbage.
            await delete_keys(self.storage, [staging])
            if unfinished_multipart is not None:
                await abort_multipart(self.storage, staging, unfinished_multipart)
        return copied

    async def _conclude(self, db: Database, copied: CopiedUpload, verdict: Verdict) -> None:
        """Store or reject the checked upload under its row's lock; a refused copy goes after the commit."""
        garbage = not verdict.ok
        async with db.transaction() as session:
            upload = await session.get(Upload, copied.score_id, with_for_update=True)
            if upload is None:
                garbage = True  # the user was erased meanwhile: the copy must not outlive the erasure
            elif upload.status != UploadStatus.CLAIMED:
                garbage = False  # verified by a concurrent delivery, or the score was deleted meanwhile
            elif verdict.ok:
                upload.status = UploadStatus.STORED
                await session.execute(
                    insert(StoredObject)
                    .values(
                        key=upload.object_key,
                        user_id=upload.user_id,
                        score_id=upload.score_id,
                        kind=ObjectKind.ORIGINAL,
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
        if garbage:
            await delete_keys(self.storage, [copied.object_key])

    async def _copy_from_staging(self, staging: str, final: str, size_bytes: int) -> str | None:
        """Copy the client's object to the final key inside storage; the reason for refusing it
        instead when it is absent or of another size (nothing is copied then)."""
        s3 = self.storage.s3
        try:
            head = await s3.head_object(Bucket=self.storage.bucket, Key=staging)
        except ClientError as exc:
            if is_not_found(exc):
                return "the file was not uploaded"
            raise
        if head["ContentLength"] != size_bytes:
            return f"the file has {head['ContentLength']} bytes, not the {size_bytes} announced"
        await s3.copy_object(
            Bucket=self.storage.bucket, Key=final, CopySource={"Bucket": self.storage.bucket, "Key": staging}
        )
        return None

    async def _inspect(self, copied: CopiedUpload) -> Verdict:
        s3, size_bytes = self.storage.s3, copied.size_bytes
        try:
            head = await s3.head_object(Bucket=self.storage.bucket, Key=copied.object_key)
        except ClientError as exc:
            if is_not_found(exc):
                return Verdict(False, "the file was not uploaded")
            raise
        if head["ContentLength"] != size_bytes:
            return Verdict(
                False, f"the file has {head['ContentLength']} bytes, not the {size_bytes} announced"
            )
        response = await s3.get_object(Bucket=self.storage.bucket, Key=copied.object_key)
        body = response["Body"]

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in body.iter_chunks(self.settings.verify_chunk_bytes):
                yield chunk

        try:
            return await verify_stream(chunks(), size_bytes=size_bytes, content_hash=copied.content_hash)
        finally:
            body.close()

    @staticmethod
    async def _reject(session: AsyncSession, upload: Upload, reason: str) -> None:
        upload.status = UploadStatus.REJECTED
        upload.reason = reason
        await add_event(
            session,
            UploadRejectedV1(score_id=upload.score_id, user_id=upload.user_id, reason=reason),
            PRODUCER,
        )
