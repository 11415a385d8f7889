"""The sync service process: app, broker, change listener, tombstone pruning and lifespan."""

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI

from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage
from scoremate_sync.api import router
from scoremate_sync.context import SyncParts
from scoremate_sync.cursors import CursorCodec
from scoremate_sync.events import handlers
from scoremate_sync.retention import TombstonePruner
from scoremate_sync.service import SyncService
from scoremate_sync.settings import SyncSettings
from scoremate_sync.stream import ChangeListener, ChangeStream

log = logging.getLogger(__name__)


class SyncRuntime(ServiceRuntime[SyncSettings]):
    def __init__(self, settings: SyncSettings) -> None:
        super().__init__(settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers)
        # Only to presign cover URLs, which is local computation: no storage client is started.
        self.sync = SyncService(settings, ObjectStorage(settings), CursorCodec(settings.sync_cursor_secret))
        self.listener = ChangeListener(settings, self.sync.channel)
        self.stream = ChangeStream(
            self.sync, self.listener, self.token_verifier, settings.sync_heartbeat_seconds
        )
        self.pruner = TombstonePruner(settings)
        self.handler_parts = SyncParts(sync=self.sync)
        self._pruning: asyncio.Task[None] | None = None
        self.on_startup.append(self._start_background)
        self.on_shutdown.append(self._stop_background)

    async def _start_background(self) -> None:
        self.listener.start()
        self._pruning = asyncio.create_task(self._prune_forever(), name="tombstone-pruner")

    async def _stop_background(self) -> None:
        if self._pruning is not None:
            self._pruning.cancel()
        await self.listener.stop()

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sync_prune_interval_seconds)
            try:
                pruned = await self.pruner.prune(self.db)
                if pruned:
                    log.info("pruned %d tombstones past the retention", pruned)
            except Exception:  # the database may be away: the next round tries again
                log.warning("pruning tombstones failed", exc_info=True)


def create_app(settings: SyncSettings | None = None) -> FastAPI:
    runtime = SyncRuntime(settings or SyncSettings())
    return create_service_app(runtime, title="ScoreMate sync", routers=[router])
