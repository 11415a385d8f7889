import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_files
from scoremate_files.context import FilesParts
from scoremate_files.deletions import DeletionService
from scoremate_files.service import FilesService
from scoremate_files.settings import FilesSettings
from scoremate_files.uploads import UploadService
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_files.__file__).parent / "migrations"


@pytest.fixture(scope="session")
def files_settings(service_settings: Callable[..., FilesSettings]) -> FilesSettings:
    """What the stack would give the files service (storage is only used to presign URLs here)."""
    return service_settings(FilesSettings, "files")


@pytest.fixture(scope="session")
async def files_db(files_settings: FilesSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, files_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def files_parts(files_settings: FilesSettings) -> FilesParts:
    """The services as the runtime builds them; their storage is never started, so a test that
    reaches storage (beyond presigning, which is local) fails instead of passing by accident."""
    storage = ObjectStorage(files_settings)
    return FilesParts(
        uploads=UploadService(files_settings, storage),
        files=FilesService(files_settings, storage),
        deletions=DeletionService(storage),
    )


@pytest.fixture
async def session(files_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(files_db) as session:
        yield session
