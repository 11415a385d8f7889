import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_library
from scoremate_library.settings import LibrarySettings
from scoremate_shared.db import Database
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_library.__file__).parent / "migrations"


@pytest.fixture(scope="session")
async def library_db(service_settings: Callable[..., LibrarySettings]) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, service_settings(LibrarySettings, "library"), MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture
async def session(library_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(library_db) as session:
        yield session
