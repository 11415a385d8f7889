"""Files decisions: reservations against the quota, verification, the object index, deletions,
sweeping and the reconciliation of bucket and index."""

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

from scoremate_files.models import (
    AccessLogEntry,
    Quota,
    ReconciliationRun,
    ReconciliationTrigger,
    StoredObject,
    Upload,
    UploadStatus,
)
from scoremate_files.reconciliation import Finding, IndexedKey, ListedObject, StreamOutOfOrder, merge_by_key
from scoremate_files.schemas import DownloadUrlOut, ReconciliationReport, UploadUrlIn, UploadUrlOut
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
from scoremate_shared.storage import (
    STAGING_PREFIX,
    ObjectStorage,
    original_key,
    score_prefix,
    staging_key,
)
from scoremate_shared.telemetry.logs import request_id_var
from scoremate_shared.upload_token import UploadClaim, issue_upload_token

if TYPE_CHECKING:
    from types_aiobotocore_s3.type_defs import ObjectIdentifierTypeDef

log = logging.getLogger(__name__)
PRODUCER = "files"
PAGE_KEY = re.compile(r"/thumbs/page-(\d+)\.jpg$")
# One reconciliation decides at a time whether a periodic run is due (every worker asks).
RECONCILE_LOCK = "files.reconcile"
NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")


class FileTooLarge(ProblemError):
    status, slug, title = 413, "file-too-large", "File too large"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class QuotaExceeded(Forbidden):
    slug, title = "quota-exceeded", "Storage quota exceeded"


class DuplicateUpload(Conflict):
    slug, title = "duplicate-score", "You already have this file"


class ReconciliationFailed(ProblemError):
    status, slug, title = 502, "reconciliation-failed", "Storage could not be compared with the index"


# Statuses whose bytes count against the quota (a reservation until it is released).
HOLDING = (UploadStatus.RESERVED, UploadStatus.CLAIMED, UploadStatus.STORED)
# Statuses whose staging object someone still waits for (the client's PUT, or the copy).
AWAITING_STAGING = (UploadStatus.RESERVED, UploadStatus.CLAIMED)


def _is_not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES


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
        url, headers, expires_at = self.storage.presign_put(
            upload_key, data.mime, data.size_bytes, settings.upload_url_seconds
        )
        session.add(
            Upload(
                score_id=score_id,
                user_id=user_id,
                object_key=key,
                staging_key=upload_key,
                filename=data.filename,
                size_bytes=data.size_bytes,
                mime=data.mime,
                content_hash=data.content_hash,
                status=UploadStatus.RESERVED,
                expires_at=expires_at,
            )
        )
        self._log_access(session, user_id, "upload_url", score_id, upload_key)
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
        """ScoreCreated: copy the staging object to the final key, check the copy, then publish
        ScoreUploaded or UploadRejected.

        The copy is checked, not the staging object: the client's URL may still be valid, and
        bytes it PUTs after the check must never become what was checked. The final key is
        written once per upload, under the row's lock, so a second delivery finds it done."""
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
            if upload.status == UploadStatus.RELEASED:
                await self._reject(session, upload, "the upload expired before the score was created")
                await session.commit()
                return
            if upload.status not in AWAITING_STAGING:
                return  # already verified: a duplicate delivery
            upload.status = UploadStatus.CLAIMED
            staging = upload.staging_key  # None: reserved before staging keys, PUT to the final key
            if staging is not None and upload.copied_at is None:
                refusal = await self._copy_from_staging(staging, upload.object_key, upload.size_bytes)
                if refusal is not None:
                    await self._reject(session, upload, refusal)
                    await session.commit()
                    await self._delete_keys([staging])
                    return
                upload.copied_at = datetime.now(UTC)
            expected = (upload.object_key, upload.size_bytes, upload.content_hash)
            await session.commit()
        if staging is not None:
            await self._delete_keys([staging])  # copied: anything PUT there from now on is garbage

        verdict = await self._inspect(*expected)

        async with db.session() as session:
            upload = await session.get(Upload, score_id, with_for_update=True)
            if upload is None:
                # The user was erased meanwhile: the copy must not outlive the erasure.
                await self._delete_keys([expected[0]])
                return
            if upload.status != UploadStatus.CLAIMED:
                return  # verified by a concurrent delivery, or the score was deleted meanwhile
            if verdict.ok:
                upload.status = UploadStatus.STORED
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

    async def _copy_from_staging(self, staging: str, final: str, size_bytes: int) -> str | None:
        """Copy the client's object to the final key inside storage; the reason for refusing it
        instead when it is absent or of another size (nothing is copied then)."""
        s3 = self.storage.s3
        try:
            head = await s3.head_object(Bucket=self.storage.bucket, Key=staging)
        except ClientError as exc:
            if _is_not_found(exc):
                return "the file was not uploaded"
            raise
        if head["ContentLength"] != size_bytes:
            return f"the file has {head['ContentLength']} bytes, not the {size_bytes} announced"
        await s3.copy_object(
            Bucket=self.storage.bucket, Key=final, CopySource={"Bucket": self.storage.bucket, "Key": staging}
        )
        return None

    async def _inspect(self, key: str, size_bytes: int, content_hash: str) -> Verdict:
        s3 = self.storage.s3
        try:
            head = await s3.head_object(Bucket=self.storage.bucket, Key=key)
        except ClientError as exc:
            if _is_not_found(exc):
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
        upload.status = UploadStatus.REJECTED
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
        # One statement for the whole score (a 300-page book is 301 rows), through Core: the ORM's
        # bulk path cost more CPU than the database's work.
        await session.execute(
            insert(StoredObject.__table__)
            .values([dict(row, user_id=event.user_id, score_id=event.score_id, size_bytes=0) for row in rows])
            .on_conflict_do_nothing(index_elements=["key"])
        )

    async def download_url(
        self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID, page: int | None
    ) -> DownloadUrlOut:
        upload = await session.get(Upload, score_id)
        if upload is None or upload.user_id != user_id or upload.status != UploadStatus.STORED:
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
        async with db.session() as session:
            # Under the row's lock: a verification copying into the score's prefix has finished
            # (its copy goes now) or will find the score released.
            upload = await session.get(Upload, score_id, with_for_update=True)
            await self._delete_prefix(score_prefix(user_id, score_id))
            if upload is None or upload.user_id != user_id or upload.status == UploadStatus.RELEASED:
                return
            if upload.staging_key is not None:
                # A PUT after this lands on the staging key, which the sweeper clears once the URL
                # has expired: the score never comes back.
                await self._delete_keys([upload.staging_key])
            was_stored = upload.status == UploadStatus.STORED
            upload.status = UploadStatus.RELEASED
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
        """UserDeleted: every object under the user's prefix, the user's staging objects, and every
        row of the user (a PUT to a staging key after this is a stray the reconciliation deletes)."""
        await self._delete_prefix(f"{user_id}/")
        async with db.session() as session:
            # By key, from the rows: erasing needs no listing outside the user's own prefix.
            staged = await session.scalars(
                sa.select(Upload.staging_key).where(
                    Upload.user_id == user_id, Upload.staging_key.is_not(None)
                )
            )
            await self._delete_keys([key for key in staged if key])
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
                        .where(Upload.status == UploadStatus.RESERVED, Upload.expires_at < cutoff)
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
            )
            if not expired:
                return 0
            # Where the client PUT: the staging key (the final key before staging keys existed).
            await self._delete_keys([upload.staging_key or upload.object_key for upload in expired])
            for upload in expired:
                upload.status = UploadStatus.RELEASED
                upload.reason = "upload URL expired unclaimed"
            await session.commit()
        log.info("released %d expired reservations", len(expired))
        return len(expired)

    async def sweep_staging(self, db: Database, now: datetime | None = None, batch: int = 100) -> int:
        """Delete the staging objects of stored, rejected and released uploads once their URL has
        expired: whatever a client PUT there after the copy (or the refusal, or the deletion)."""
        now = now or datetime.now(UTC)
        cutoff = now - timedelta(seconds=self.settings.staging_sweep_delay_seconds)
        async with db.session() as session:
            done = list(
                (
                    await session.scalars(
                        sa.select(Upload)
                        .where(
                            Upload.staging_key.is_not(None),
                            Upload.staging_cleared_at.is_(None),
                            Upload.expires_at < cutoff,
                            Upload.status.not_in(AWAITING_STAGING),
                        )
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
            )
            if not done:
                return 0
            await self._delete_keys([upload.staging_key for upload in done if upload.staging_key])
            for upload in done:
                upload.staging_cleared_at = now
            await session.commit()
        log.info("cleared the staging keys of %d finished uploads", len(done))
        return len(done)

    # --- reconciliation of bucket and index -------------------------------------------------

    async def reconcile(self, db: Database, prefix: str = "") -> ReconciliationReport:
        """An admin's run over `prefix` (all of the bucket when empty)."""
        async with db.session() as session:
            run = ReconciliationRun(
                trigger=ReconciliationTrigger.ADMIN, prefix=prefix, started_at=datetime.now(UTC)
            )
            session.add(run)
            await session.commit()
        return await self._reconcile(db, run)

    async def reconcile_if_due(self, db: Database) -> ReconciliationReport | None:
        """The periodic run over the whole bucket, by whichever worker first finds it due."""
        interval = timedelta(seconds=self.settings.reconcile_interval_seconds)
        async with db.session() as session:
            await session.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": RECONCILE_LOCK}
            )
            last = await session.scalar(
                sa.select(sa.func.max(ReconciliationRun.started_at)).where(
                    ReconciliationRun.trigger == ReconciliationTrigger.PERIODIC
                )
            )
            now = datetime.now(UTC)
            if last is not None and now - last < interval:
                return None
            run = ReconciliationRun(trigger=ReconciliationTrigger.PERIODIC, prefix="", started_at=now)
            session.add(run)
            await session.commit()
        return await self._reconcile(db, run)

    async def _reconcile(self, db: Database, run: ReconciliationRun) -> ReconciliationReport:
        """Merge the bucket's listing with the index, both in key order: objects without a row are
        strays, rows without an object are missing. Strays under staging/ older than the grace
        period are deleted (nobody can be waiting for them: an upload's row is committed before
        its URL exists); every other finding is only reported."""
        settings = self.settings
        strays, missing, deleted = (Finding(settings.reconcile_sample_size) for _ in range(3))
        deletable_before = run.started_at - timedelta(seconds=settings.reconcile_grace_seconds)
        to_delete: list[str] = []
        listed = 0
        try:
            async with db.session() as session:
                pairs = merge_by_key(
                    self._listed_objects(run.prefix), self._indexed_keys(session, run.prefix)
                )
                async for obj, expected in pairs:
                    if obj is None:
                        if expected is not None and expected.required:
                            missing.add(expected.key)
                        continue
                    listed += 1
                    if expected is not None:
                        continue
                    strays.add(obj.key)
                    if obj.key.startswith(STAGING_PREFIX) and obj.last_modified < deletable_before:
                        to_delete.append(obj.key)
                        if len(to_delete) >= settings.reconcile_page_size:
                            await self._delete_strays(to_delete, deleted)
                await self._delete_strays(to_delete, deleted)
        except StreamOutOfOrder as exc:
            log.error("reconciliation %d stopped: %s", run.id, exc)
            raise ReconciliationFailed(f"The comparison stopped: {exc}") from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            log.error("reconciliation %d stopped: storage answered %s", run.id, code)
            hint = (
                " (files' storage identity needs s3:ListBucket on the bucket)"
                if code == "AccessDenied"
                else ""
            )
            raise ReconciliationFailed(f"Storage answered {code}{hint}") from exc
        finished = datetime.now(UTC)
        async with db.session() as session:
            await session.execute(
                sa.update(ReconciliationRun)
                .where(ReconciliationRun.id == run.id)
                .values(
                    finished_at=finished,
                    objects_listed=listed,
                    strays=strays.count,
                    missing=missing.count,
                    strays_deleted=deleted.count,
                )
            )
            await session.commit()
        log.info(
            "reconciliation %d (%s) of %r: %d objects, %d strays (%d deleted), %d missing; "
            "strays %s; missing %s",
            run.id,
            run.trigger,
            run.prefix,
            listed,
            strays.count,
            deleted.count,
            missing.count,
            strays.sample,
            missing.sample,
        )
        return ReconciliationReport(
            prefix=run.prefix,
            started_at=run.started_at,
            finished_at=finished,
            objects_listed=listed,
            strays=strays.out(),
            missing=missing.out(),
            strays_deleted=deleted.out(),
        )

    async def _delete_strays(self, keys: list[str], deleted: Finding) -> None:
        await self._delete_keys(keys)
        for key in keys:
            deleted.add(key)
        keys.clear()

    async def _listed_objects(self, prefix: str) -> AsyncIterator[ListedObject]:
        """The bucket under `prefix`, a page at a time, in S3's key order."""
        paginator = self.storage.s3.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.storage.bucket,
            Prefix=prefix,
            PaginationConfig={"PageSize": self.settings.reconcile_page_size},
        )
        async for page in pages:
            for item in page.get("Contents", []):
                yield ListedObject(item["Key"], item["LastModified"])

    async def _indexed_keys(self, session: AsyncSession, prefix: str) -> AsyncIterator[IndexedKey]:
        """Every key the index expects under `prefix`, streamed from one query in byte order."""
        expected = sa.union_all(
            sa.select(StoredObject.key.label("key"), sa.true().label("required")),
            # Where the client PUTs (or PUT) while the upload waits for its copy.
            sa.select(sa.func.coalesce(Upload.staging_key, Upload.object_key).label("key"), sa.false()).where(
                Upload.status.in_(AWAITING_STAGING)
            ),
            # Copied, being verified: the final key has no index row yet.
            sa.select(Upload.object_key.label("key"), sa.false()).where(
                Upload.status == UploadStatus.CLAIMED
            ),
            # The processor writes layout.json beside the original and announces it to nobody.
            sa.select(
                sa.func.regexp_replace(Upload.object_key, "[^/]*$", "layout.json").label("key"), sa.false()
            ).where(Upload.status == UploadStatus.STORED),
        ).subquery()
        query = (
            sa.select(expected.c.key, expected.c.required)
            .where(expected.c.key.startswith(prefix, autoescape=True))
            # "C": byte order, the order S3 lists keys in; a required row before an optional twin.
            .order_by(expected.c.key.collate("C"), expected.c.required.desc())
            .execution_options(yield_per=self.settings.reconcile_page_size)
        )
        result = await session.stream(query)
        async for row in result:
            yield IndexedKey(row.key, row.required)

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
