import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_processor
from scoremate_processor.isolation import WorkerPool
from scoremate_processor.jobs import JobRunner
from scoremate_processor.service import TaskService
from scoremate_processor.settings import ProcessorSettings
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_processor.__file__).parent / "migrations"
# Low, so that a test reaches it in a few calls.
TEST_REFRESH_LIMIT = 2


@pytest.fixture(scope="session")
def processor_settings(service_settings: Callable[..., ProcessorSettings]) -> ProcessorSettings:
    settings = service_settings(ProcessorSettings, "processor")
    return settings.model_copy(update={"refresh_thumbnails_per_hour": TEST_REFRESH_LIMIT})


@pytest.fixture(scope="session")
async def processor_db(processor_settings: ProcessorSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, processor_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def processor_tasks(processor_settings: ProcessorSettings) -> TaskService:
    return TaskService(processor_settings)


@pytest.fixture(scope="session")
def processor_jobs(processor_settings: ProcessorSettings, processor_tasks: TaskService) -> JobRunner:
    """The job runner as the runtime builds it; its workers and storage are never started (the
    tests give it no job that reaches them)."""
    storage = ObjectStorage(processor_settings)
    return JobRunner(
        processor_settings, storage, WorkerPool.from_settings(processor_settings), processor_tasks
    )


@pytest.fixture
async def session(processor_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(processor_db) as session:
        yield session
