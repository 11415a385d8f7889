"""Files decisions about what is stored: the object index, download URLs, and what an admin reads
of the index and the access log. Uploads, deletions, sweeping and reconciliation have modules
of their own (uploads.py, deletions.py, sweeper.py, reconciliation.py)."""

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.access_log import log_access
from scoremate_files.models import (
    PRODUCER,
    AccessAction,
    AccessLogEntry,
    AdminAction,
    ObjectKind,
    StoredObject,
    Upload,
    UploadStatus,
)
from scoremate_files.schemas import AccessLogFilter, AccessLogOut, AdminObjectOut, DownloadUrlOut
from scoremate_files.settings import FilesSettings
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import Principal
from scoremate_shared.errors import NotFound
from scoremate_shared.events import ThumbnailsGeneratedV1
from scoremate_shared.pagination import Page, paginate
from scoremate_shared.storage import ObjectStorage

PAGE_KEY = re.compile(r"/thumbs/page-(\d+)\.jpg$")


class ScoreNotFound(NotFound):
    """No stored score of this id for this user (another user's score included)."""


class ThumbnailNotFound(NotFound):
    """The score has no thumbnail of that page."""


class FilesService:
    def __init__(self, settings: FilesSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    async def index_thumbnails(self, session: AsyncSession, event: ThumbnailsGeneratedV1) -> None:
        """ThumbnailsGenerated: the cover and the page images the processor stored join the index."""
        rows: list[dict[str, Any]] = [{"key": event.cover_key, "kind": ObjectKind.COVER, "page": None}]
        for key in event.page_keys:
            # thumbs/page-0007.jpg is page 7 (a page that failed to render has no key).
            match = PAGE_KEY.search(key)
            if match:
                rows.append({"key": key, "kind": ObjectKind.PAGE, "page": int(match.group(1))})
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
        """The original (page None) or a page's thumbnail of the user's stored score, logged."""
        upload = await session.get(Upload, score_id)
        if upload is None or upload.user_id != user_id or upload.status != UploadStatus.STORED:
            raise ScoreNotFound("No such score")
        download_name: str | None = None
        if page is None:
            key = upload.object_key
            # The original PDF is saved, never shown from the API's own origin.
            download_name = upload.filename
        else:
            key_or_none = await session.scalar(
                sa.select(StoredObject.key).where(
                    StoredObject.score_id == score_id,
                    StoredObject.kind == ObjectKind.PAGE,
                    StoredObject.page == page,
                )
            )
            if key_or_none is None:
                raise ThumbnailNotFound(f"Page {page} has no thumbnail")
            key = key_or_none
        url, expires_at = self.storage.presign_get(key, download_name=download_name)
        log_access(session, user_id, AccessAction.DOWNLOAD, score_id, key)
        return DownloadUrlOut(url=url, expires_at=expires_at)

    # --- what an admin reads (each read is itself an admin action) ---------------------------

    async def list_objects(
        self, session: AsyncSession, admin: Principal, user_id: uuid.UUID, page: int, page_size: int
    ) -> Page[AdminObjectOut]:
        """Every object the user has in the bucket, by score."""
        found = await paginate(
            session,
            sa.select(StoredObject)
            .where(StoredObject.user_id == user_id)
            .order_by(StoredObject.score_id, StoredObject.key),
            page,
            page_size,
        )
        await record_admin_action(session, PRODUCER, admin, AdminAction.LIST_FILES, str(user_id))
        return Page(
            items=[AdminObjectOut.model_validate(row, from_attributes=True) for row in found.items],
            page=page,
            page_size=page_size,
            total=found.total,
        )

    async def list_access_log(
        self, session: AsyncSession, admin: Principal, wanted: AccessLogFilter, page: int, page_size: int
    ) -> Page[AccessLogOut]:
        """Newest first."""
        conditions = []
        if wanted.user_id is not None:
            conditions.append(AccessLogEntry.user_id == wanted.user_id)
        if wanted.action:
            conditions.append(AccessLogEntry.action == wanted.action)
        if wanted.since is not None:
            conditions.append(AccessLogEntry.at >= wanted.since)
        if wanted.until is not None:
            conditions.append(AccessLogEntry.at < wanted.until)
        found = await paginate(
            session,
            sa.select(AccessLogEntry)
            .where(*conditions)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()),
            page,
            page_size,
        )
        await record_admin_action(
            session, PRODUCER, admin, AdminAction.READ_ACCESS_LOG, str(wanted.user_id or "all")
        )
        return Page(
            items=[AccessLogOut.model_validate(row, from_attributes=True) for row in found.items],
            page=page,
            page_size=page_size,
            total=found.total,
        )
