"""The processor service process: app, broker, isolated PDF workers and lifespan."""

from pathlib import Path

from fastapi import FastAPI

from scoremate_processor.admin_api import router as admin_router
from scoremate_processor.api import router
from scoremate_processor.context import ProcessorParts
from scoremate_processor.events import handlers
from scoremate_processor.isolation import WorkerPool
from scoremate_processor.jobs import JobRunner
from scoremate_processor.service import TaskService
from scoremate_processor.settings import ProcessorSettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage


class ProcessorRuntime(ServiceRuntime[ProcessorSettings]):
    def __init__(self, settings: ProcessorSettings) -> None:
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.pool = WorkerPool.from_settings(settings)
        self.on_startup.append(self.pool.start)
        self.tasks = TaskService(settings)
        self.jobs = JobRunner(settings, storage, self.pool, self.tasks)
        self.handler_parts = ProcessorParts(tasks=self.tasks, jobs=self.jobs)
        self.on_shutdown.append(self._close_pool)

    async def _close_pool(self) -> None:
        self.pool.close()


def create_app(settings: ProcessorSettings | None = None) -> FastAPI:
    runtime = ProcessorRuntime(settings or ProcessorSettings())
    return create_service_app(runtime, title="ScoreMate processor", routers=[router, admin_router])
