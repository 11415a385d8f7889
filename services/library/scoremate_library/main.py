"""The library service process: app, broker and lifespan."""

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI

from scoremate_library.archives.service import ArchiveService
from scoremate_library.context import LibraryParts
from scoremate_library.events import handlers
from scoremate_library.preconditions import NotModified, not_modified_response
from scoremate_library.scores.api import router as scores_router
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.api import router as setlists_router
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_library.sync_backfill import SyncBackfill
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage


class LibraryRuntime(ServiceRuntime[LibrarySettings]):
    def __init__(self, settings: LibrarySettings) -> None:
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.setlists = SetlistService()
        self.scores = ScoreService(settings, storage, self.setlists)
        self.archives = ArchiveService(storage, self.scores, self.setlists)
        self.handler_parts = LibraryParts(scores=self.scores, archives=self.archives)
        self.sync_backfill = SyncBackfill(self.db, self.scores, self.setlists)
        self._backfilling: asyncio.Task[None] | None = None
        self.on_startup.append(self._start_backfill)
        self.on_shutdown.append(self._stop_backfill)

    async def _start_backfill(self) -> None:
        """In the background: start-up and the first requests do not wait for it."""
        self._backfilling = asyncio.create_task(self._backfill())

    async def _backfill(self) -> None:
        try:
            await self.sync_backfill.run()
        except Exception:  # the next start resumes where the last committed batch ended
            logging.getLogger(__name__).exception("sync backfill stopped")

    async def _stop_backfill(self) -> None:
        if self._backfilling is not None:
            self._backfilling.cancel()
            await asyncio.gather(self._backfilling, return_exceptions=True)


def create_app(settings: LibrarySettings | None = None) -> FastAPI:
    runtime = LibraryRuntime(settings or LibrarySettings())
    app = create_service_app(runtime, title="ScoreMate library", routers=[scores_router, setlists_router])
    app.add_exception_handler(NotModified, not_modified_response)
    return app
