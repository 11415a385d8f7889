"""Exports of a user's whole library: starting one, collecting the parts, building the archive."""

import uuid

from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import ExportPartWrittenV1
from scoremate_shared.storage import ObjectStorage


class ExportService:
    def __init__(self, settings: ExportsSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    async def record_part(self, db: Database, event: ExportPartWrittenV1) -> None:
        raise NotImplementedError

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        raise NotImplementedError

    async def sweep_expired(self, db: Database) -> int:
        raise NotImplementedError
