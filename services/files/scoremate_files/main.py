"""The files service process: app, broker, sweeper and lifespan."""

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI

from scoremate_files.admin_api import router as admin_router
from scoremate_files.api import router
from scoremate_files.events import handlers
from scoremate_files.service import FilesService
from scoremate_files.settings import FilesSettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage

log = logging.getLogger(__name__)


class FilesRuntime(ServiceRuntime[FilesSettings]):
    def __init__(self, settings: FilesSettings) -> None:
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.files = FilesService(settings, storage)
        self._sweeper: asyncio.Task[None] | None = None
        self.on_startup.append(self._start_sweeper)
        self.on_shutdown.append(self._stop_sweeper)

    async def _start_sweeper(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="reservation-sweeper")

    async def _stop_sweeper(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sweep_interval_seconds)
            try:
                while await self.files.sweep_expired(self.db):
                    pass
            except Exception:  # storage or database away: the next round tries again
                log.warning("sweeping expired reservations failed", exc_info=True)


def create_app(settings: FilesSettings | None = None) -> FastAPI:
    runtime = FilesRuntime(settings or FilesSettings())
    return create_service_app(runtime, title="ScoreMate files", routers=[router, admin_router])
