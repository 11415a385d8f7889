"""The exports service process: app, broker, the sweepers of archives and abandoned imports, the
monthly report's schedule, the memory ceiling, and lifespan."""

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI

from scoremate_exports.context import ExportsParts
from scoremate_exports.events import handlers
from scoremate_exports.exports.admin_api import router as exports_admin_router
from scoremate_exports.exports.api import router as exports_router
from scoremate_exports.exports.service import ExportService
from scoremate_exports.imports.api import router as imports_router
from scoremate_exports.imports.service import ImportService
from scoremate_exports.reports.admin_api import router as reports_admin_router
from scoremate_exports.reports.service import ReportService
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage

log = logging.getLogger(__name__)


def limit_memory(limit_bytes: int) -> None:
    """The process's data segment (heap and anonymous mappings) may not grow past the limit: an
    allocation beyond it fails with MemoryError instead of the host's OOM killer picking a victim."""
    if limit_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limit_bytes, limit_bytes))


class ExportsRuntime(ServiceRuntime[ExportsSettings]):
    def __init__(self, settings: ExportsSettings) -> None:
        limit_memory(settings.memory_limit_bytes)
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.exports = ExportService(settings, storage)
        self.imports = ImportService(settings, storage)
        self.reports = ReportService(settings, storage)
        self.handler_parts = ExportsParts(exports=self.exports, imports=self.imports, reports=self.reports)
        self._background: list[asyncio.Task[None]] = []
        self.on_startup.append(self._start_background)
        self.on_shutdown.append(self._stop_background)

    async def _start_background(self) -> None:
        self._background += [
            asyncio.create_task(
                self._every(
                    self.settings.export_sweep_interval_seconds,
                    self.exports.sweep_expired,
                    "sweeping exports",
                ),
                name="export-sweeper",
            ),
            asyncio.create_task(
                self._every(
                    self.settings.export_sweep_interval_seconds,
                    self.imports.expire_abandoned,
                    "expiring abandoned imports",
                ),
                name="import-sweeper",
            ),
            asyncio.create_task(
                self._every(
                    self.settings.report_schedule_check_seconds,
                    self.reports.write_last_month_if_due,
                    "writing last month's report",
                    first_delay=5.0,
                ),
                name="monthly-report",
            ),
        ]

    async def _stop_background(self) -> None:
        for task in self._background:
            task.cancel()

    async def _every(
        self,
        seconds: float,
        job: Callable[[Database], Awaitable[object]],
        what: str,
        first_delay: float | None = None,
    ) -> None:
        await asyncio.sleep(seconds if first_delay is None else min(first_delay, seconds))
        while True:
            try:
                await job(self.db)
            except Exception:  # storage or database away: the next round tries again
                log.warning("%s failed", what, exc_info=True)
            await asyncio.sleep(seconds)


def create_app(settings: ExportsSettings | None = None) -> FastAPI:
    runtime = ExportsRuntime(settings or ExportsSettings())
    return create_service_app(
        runtime,
        title="ScoreMate exports",
        routers=[exports_router, imports_router, exports_admin_router, reports_admin_router],
    )
