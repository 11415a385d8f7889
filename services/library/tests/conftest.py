import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_library
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_library.__file__).parent / "migrations"


@pytest.fixture(scope="session")
async def library_db(service_settings: Callable[..., LibrarySettings]) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, service_settings(LibrarySettings, "library"), MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def library_scores(service_settings: Callable[..., LibrarySettings]) -> ScoreService:
    """The score service as the runtime builds it (storage is only used to presign URLs)."""
    settings = service_settings(LibrarySettings, "library")
    return ScoreService(settings, ObjectStorage(settings), SetlistService())


@pytest.fixture
async def session(library_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(library_db) as session:
        yield session
