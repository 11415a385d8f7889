"""Deletions: a deleted score's objects and bytes released, an erased user's objects and rows gone.

Both delete the score's (or the user's) prefix after their rows' commit: an object a verification
copied before that commit goes with the prefix, and a verification after it finds no upload to
copy for (the row is released or erased under the row lock verification takes)."""

import uuid

import sqlalchemy as sa

from scoremate_files.access_log import log_access
from scoremate_files.bucket import abort_multipart, delete_keys, delete_prefix
from scoremate_files.models import (
    AWAITING_STAGING,
    PRODUCER,
    AccessAction,
    AccessLogEntry,
    Quota,
    StoredObject,
    Upload,
    UploadStatus,
)
from scoremate_shared.db import Database
from scoremate_shared.events import StorageReleasedV1
from scoremate_shared.idempotency import forget_user_keys
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.storage import ObjectStorage, score_prefix


class DeletionService:
    def __init__(self, storage: ObjectStorage) -> None:
        self.storage = storage

    async def release_score(self, db: Database, score_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """ScoreDeleted: the upload is released (its bytes with it: StorageReleased), then every
        object of the score leaves the bucket.

        Spans a transaction and the storage deletes after its commit; a redelivery (say, after
        storage failed) finds the upload released and deletes the objects again."""
        prefix = score_prefix(user_id, score_id)
        staging: str | None = None
        unfinished_multipart: str | None = None
        async with db.transaction() as session:
            # Under the row's lock: a verification copying into the score's prefix has committed
            # (its copy goes with the prefix below) or will find the score released.
            upload = await session.get(Upload, score_id, with_for_update=True)
            if upload is not None and upload.user_id == user_id:
                staging = upload.staging_key
                if upload.multipart_upload_id is not None and upload.multipart_completed_at is None:
                    unfinished_multipart = upload.multipart_upload_id
                if upload.status != UploadStatus.RELEASED:
                    was_stored = upload.status == UploadStatus.STORED
                    upload.status = UploadStatus.RELEASED
                    upload.reason = "score deleted"
                    await session.execute(sa.delete(StoredObject).where(StoredObject.score_id == score_id))
                    log_access(session, user_id, AccessAction.DELETE, score_id, prefix)
                    if was_stored:
                        await add_event(
                            session,
                            StorageReleasedV1(user_id=user_id, score_id=score_id, bytes=upload.size_bytes),
                            PRODUCER,
                        )
        await delete_prefix(self.storage, prefix)
        if staging is not None:
            # A PUT after this lands on the staging key again, which the sweeper clears once the
            # URL has expired: the score never comes back.
            await delete_keys(self.storage, [staging])
            if unfinished_multipart is not None:
                await abort_multipart(self.storage, staging, unfinished_multipart)

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        """UserDeleted: every row of the user, every object under the user's prefix, and the
        user's staging objects (a PUT to a staging key after this is a stray the reconciliation
        deletes).

        Spans a transaction and storage deletes around it: the staging objects go before the rows
        are committed away, because only the rows know those keys (a failed delete is retried with
        them still there); the user's prefix goes after the commit, with whatever a verification
        copied into it meanwhile."""
        async with db.transaction() as session:
            # By key, from the rows: erasing needs no listing outside the user's own prefix.
            staged = (
                await session.execute(
                    sa.select(Upload.staging_key, Upload.status, Upload.multipart_upload_id).where(
                        Upload.user_id == user_id, Upload.staging_key.is_not(None)
                    )
                )
            ).all()
            # Parts of an upload still waiting are the user's too (the others were aborted when
            # they were released or refused; the sweeper aborts any orphan by listing).
            for key, status, upload_id in staged:
                if upload_id is not None and status in AWAITING_STAGING:
                    await abort_multipart(self.storage, key, upload_id)
            await delete_keys(self.storage, [key for key, _, _ in staged if key])
            for model in (StoredObject, Upload, AccessLogEntry, Quota):
                await session.execute(sa.delete(model).where(model.user_id == user_id))
            await forget_user_keys(session, user_id)
        await delete_prefix(self.storage, f"{user_id}/")
