import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_library
from scoremate_library.models import Score
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.auth import Principal
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


def _new_score(user: Principal, title: str = "Air") -> Score:
    return Score(
        id=uuid.uuid4(),
        user_id=user.user_id,
        title=title,
        status="processing",
        size_bytes=1000,
        mime="application/pdf",
        content_hash="0" * 64,
        object_key=f"{user.user_id}/x/original.pdf",
        tags=[],
        tags_norm=[],
        filled_from_pdf=[],
    )


@pytest.fixture
def new_score() -> Callable[..., Score]:
    """A score row of the user's, still processing, for a test to add."""
    return _new_score
