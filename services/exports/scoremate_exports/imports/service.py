"""Imports of an archive into a user's library: upload, checks, extraction, and progress."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ImportArchiveUploadedV1,
    ImportRefusedV1,
    LibraryImportedV1,
    QuotaChangedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
)
from scoremate_shared.storage import ObjectStorage


class ImportService:
    def __init__(self, settings: ExportsSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    async def run_import(self, db: Database, event: ImportArchiveUploadedV1) -> None:
        raise NotImplementedError

    async def refused_by_files(self, db: Database, event: ImportRefusedV1) -> None:
        raise NotImplementedError

    async def library_imported(self, session: AsyncSession, event: LibraryImportedV1) -> None:
        raise NotImplementedError

    async def score_stored(self, session: AsyncSession, event: ScoreUploadedV1) -> None:
        raise NotImplementedError

    async def score_rejected(self, session: AsyncSession, event: UploadRejectedV1) -> None:
        raise NotImplementedError

    async def score_deleted(self, session: AsyncSession, event: ScoreDeletedV1) -> None:
        raise NotImplementedError

    async def apply_quota(self, session: AsyncSession, event: QuotaChangedV1) -> None:
        raise NotImplementedError

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        raise NotImplementedError
