"""The sweeper: reservations never claimed are released once their URL (or their multipart
upload) expired, the staging objects of finished uploads are deleted once nobody can PUT to them
any more, and multipart uploads older than any reservation are aborted. An import's reservations
expire a day later (IMPORT_RESERVATION_SECONDS), and their objects are left to the exports service."""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

import sqlalchemy as sa

from scoremate_files.bucket import InProgressUpload, abort_multipart, delete_keys, in_progress_uploads
from scoremate_files.models import AWAITING_STAGING, Upload, UploadStatus
from scoremate_files.settings import FilesSettings
from scoremate_shared.db import Database
from scoremate_shared.storage import STAGING_PREFIX, ObjectStorage

log = logging.getLogger(__name__)
BATCH = 100


class Sweeper:
    def __init__(self, settings: FilesSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    async def sweep(self, db: Database) -> None:
        """Everything due now. Spans several transactions because each batch is one: a batch's row
        locks (skipped by the other workers' sweepers) are held only while its objects go."""
        while await self.sweep_expired(db):
            pass
        while await self.sweep_staging(db):
            pass
        await self.sweep_stale_multipart(db)

    async def sweep_expired(self, db: Database, now: datetime | None = None, batch: int = BATCH) -> int:
        """Release reservations never claimed once their URL expired plus the grace period."""
        cutoff = (now or datetime.now(UTC)) - timedelta(seconds=self.settings.reservation_grace_seconds)
        async with db.transaction() as session:
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
            # Where the client PUT: the staging key (the final key before staging keys existed).
            # Deleted before the commit: a row is released only once its object is gone. An
            # import's object is the exports service's, deleted by it when the import ends.
            for upload in expired:
                if upload.multipart_upload_id is not None and upload.multipart_completed_at is None:
                    await abort_multipart(self.storage, upload.staging_key or "", upload.multipart_upload_id)
            await delete_keys(
                self.storage,
                [upload.staging_key or upload.object_key for upload in expired if not upload.from_import],
            )
            for upload in expired:
                upload.status = UploadStatus.RELEASED
                upload.reason = "upload URL expired unclaimed"
        if expired:
            log.info("released %d expired reservations", len(expired))
        return len(expired)

    async def sweep_staging(self, db: Database, now: datetime | None = None, batch: int = BATCH) -> int:
        """Delete the staging objects of stored, rejected and released uploads once their URL has
        expired: whatever a client PUT there after the copy (or the refusal, or the deletion)."""
        now = now or datetime.now(UTC)
        cutoff = now - timedelta(seconds=self.settings.staging_sweep_delay_seconds)
        async with db.transaction() as session:
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
            # Deleted before the commit: a row is marked cleared only once its object is gone. No
            # client can PUT to an import's object late: nothing to clear there (exports owns it).
            await delete_keys(
                self.storage,
                [upload.staging_key for upload in done if upload.staging_key and not upload.from_import],
            )
            for upload in done:
                upload.staging_cleared_at = now
        if done:
            log.info("cleared the staging keys of %d finished uploads", len(done))
        return len(done)

    async def sweep_stale_multipart(
        self, db: Database, now: datetime | None = None, prefix: str = STAGING_PREFIX
    ) -> int:
        """Abort the multipart uploads under `prefix` started before any reservation still alive
        (its lifetime plus the grace period ago), and release the reservation of each if it is
        still held: orphans (a reservation whose commit failed after its upload started, one whose
        abort failed) and uploads a client left unfinished. Storage keeps the parts of an upload
        neither completed nor aborted forever, and no object listing shows them."""
        now = now or datetime.now(UTC)
        settings = self.settings
        cutoff = now - timedelta(
            seconds=settings.multipart_upload_seconds + settings.reservation_grace_seconds
        )
        stale = [
            upload async for upload in in_progress_uploads(self.storage, prefix) if upload.initiated < cutoff
        ]
        for start in range(0, len(stale), BATCH):
            await self._abort_stale(db, stale[start : start + BATCH])
        if stale:
            log.info("aborted %d stale multipart uploads", len(stale))
        return len(stale)

    async def _abort_stale(self, db: Database, stale: list[InProgressUpload]) -> None:
        async with db.transaction() as session:
            for upload in stale:
                await abort_multipart(self.storage, upload.key, upload.upload_id)
                score_id = _staging_score_id(upload.key)
                if score_id is None:
                    continue
                row = await session.scalar(
                    sa.select(Upload).where(Upload.score_id == score_id).with_for_update(skip_locked=True)
                )
                if (
                    row is not None
                    and row.status == UploadStatus.RESERVED
                    and row.multipart_upload_id == upload.upload_id
                ):
                    row.status = UploadStatus.RELEASED
                    row.reason = "multipart upload expired unfinished"


def _staging_score_id(key: str) -> uuid.UUID | None:
    """The score id of a staging key (`staging/<user>/<score>.pdf`); None for another key."""
    try:
        return uuid.UUID(PurePosixPath(key).stem)
    except ValueError:
        return None
