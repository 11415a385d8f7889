"""The files service process: app, broker, sweeper, periodic reconciliation and lifespan."""

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI

from scoremate_files.admin_api import router as admin_router
from scoremate_files.api import router
from scoremate_files.context import FilesParts
from scoremate_files.deletions import DeletionService
from scoremate_files.events import handlers
from scoremate_files.reconciliation import Reconciler
from scoremate_files.service import FilesService
from scoremate_files.settings import FilesSettings
from scoremate_files.sweeper import Sweeper
from scoremate_files.uploads import UploadService
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage

log = logging.getLogger(__name__)


class FilesRuntime(ServiceRuntime[FilesSettings]):
    def __init__(self, settings: FilesSettings) -> None:
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.uploads = UploadService(settings, storage)
        self.files = FilesService(settings, storage)
        self.deletions = DeletionService(storage)
        self.sweeper = Sweeper(settings, storage)
        self.reconciler = Reconciler(settings, storage)
        self.handler_parts = FilesParts(uploads=self.uploads, files=self.files, deletions=self.deletions)
        self._background: list[asyncio.Task[None]] = []
        self.on_startup.append(self._start_background)
        self.on_shutdown.append(self._stop_background)

    async def _start_background(self) -> None:
        self._background.append(asyncio.create_task(self._sweep_forever(), name="reservation-sweeper"))
        if self.settings.reconcile_interval_seconds > 0:
            self._background.append(asyncio.create_task(self._reconcile_forever(), name="reconciliation"))

    async def _stop_background(self) -> None:
        for task in self._background:
            task.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sweep_interval_seconds)
            try:
                await self.sweeper.sweep(self.db)
            except Exception:  # storage or database away: the next round tries again
                log.warning("sweeping expired reservations and staging objects failed", exc_info=True)

    async def _reconcile_forever(self) -> None:
        # Every worker asks as often as it sweeps; the newest periodic run in the database says
        # whether one is due, so a restart neither skips nor repeats one.
        while True:
            await asyncio.sleep(self.settings.sweep_interval_seconds)
            try:
                await self.reconciler.reconcile_if_due(self.db)
            except Exception:  # storage or database away: the next round tries again
                log.warning("the periodic reconciliation failed", exc_info=True)


def create_app(settings: FilesSettings | None = None) -> FastAPI:
    runtime = FilesRuntime(settings or FilesSettings())
    return create_service_app(runtime, title="ScoreMate files", routers=[router, admin_router])
