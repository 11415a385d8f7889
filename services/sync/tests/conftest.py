import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_sync
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.testing import RolledBack, migrated_database
from scoremate_sync.cursors import CursorCodec
from scoremate_sync.service import SyncService
from scoremate_sync.settings import SyncSettings

MIGRATIONS = Path(scoremate_sync.__file__).parent / "migrations"


@pytest.fixture(scope="session")
def sync_settings(service_settings: Callable[..., SyncSettings]) -> SyncSettings:
    return service_settings(SyncSettings, "sync")


@pytest.fixture(scope="session")
async def sync_db(sync_settings: SyncSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, sync_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def sync(sync_settings: SyncSettings) -> SyncService:
    """The sync service as the runtime builds it (storage only presigns cover URLs)."""
    return SyncService(
        sync_settings, ObjectStorage(sync_settings), CursorCodec(sync_settings.sync_cursor_secret)
    )


@pytest.fixture
async def session(sync_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(sync_db) as session:
        yield session
