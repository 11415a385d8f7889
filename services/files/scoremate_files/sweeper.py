"""The sweeper: reservations never claimed are released once their URL expired, and the staging
objects of finished uploads are deleted once nobody can PUT to them any more."""

import logging
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from scoremate_files.bucket import delete_keys
from scoremate_files.models import AWAITING_STAGING, Upload, UploadStatus
from scoremate_files.settings import FilesSettings
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage

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
            # Deleted before the commit: a row is released only once its object is gone.
            await delete_keys(self.storage, [upload.staging_key or upload.object_key for upload in expired])
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
            # Deleted before the commit: a row is marked cleared only once its object is gone.
            await delete_keys(self.storage, [upload.staging_key for upload in done if upload.staging_key])
            for upload in done:
                upload.staging_cleared_at = now
        if done:
            log.info("cleared the staging keys of %d finished uploads", len(done))
        return len(done)
