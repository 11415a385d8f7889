"""The monthly activity report: a projection of the bus, and the job that files last month's."""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import IntegrationEvent
from scoremate_shared.storage import ObjectStorage


class ReportService:
    def __init__(self, settings: ExportsSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    async def count(self, session: AsyncSession, event: IntegrationEvent, occurred_at: datetime) -> None:
        raise NotImplementedError

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        raise NotImplementedError

    async def write_last_month_if_due(self, db: Database) -> None:
        raise NotImplementedError
