import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_exports
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_exports.__file__).parent / "migrations"


@pytest.fixture(scope="session")
def exports_settings(service_settings: Callable[..., ExportsSettings]) -> ExportsSettings:
    return service_settings(ExportsSettings, "exports")


@pytest.fixture(scope="session")
async def exports_db(exports_settings: ExportsSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, exports_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture
async def session(exports_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(exports_db) as session:
        yield session

