import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_auth
from scoremate_auth.email_delivery import OutgoingEmail
from scoremate_auth.keys import KeyRing
from scoremate_auth.passwords import PasswordHashing
from scoremate_auth.service import AuthService
from scoremate_auth.settings import AuthSettings
from scoremate_shared.db import Database
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_auth.__file__).parent / "migrations"


class RecordedEmails:
    """The e-mail delivery of the tests: every message kept in a list, none sent."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []

    async def send(self, email: OutgoingEmail) -> None:
        self.sent.append(email)


@pytest.fixture(scope="session")
def auth_settings(service_settings: Callable[..., AuthSettings]) -> AuthSettings:
    """What the stack gives auth, with the cheapest password hashing and no soft-step delay."""
    settings = service_settings(AuthSettings, "auth")
    return settings.model_copy(
        update={
            "argon2_time_cost": 1,
            "argon2_memory_kib": 8,
            "argon2_parallelism": 1,
            "login_slow_seconds": 0.0,
        }
    )


@pytest.fixture(scope="session")
async def auth_db(auth_settings: AuthSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, auth_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def signing_keys(auth_db: Database, auth_settings: AuthSettings) -> KeyRing:
    """The key ring as the runtime starts it: its first key created (committed) on the test schema."""
    keys = KeyRing(auth_db, auth_settings)
    await keys.ensure_active_key()
    return keys


@pytest.fixture
def emails() -> RecordedEmails:
    return RecordedEmails()


@pytest.fixture
def auth_service(auth_settings: AuthSettings, signing_keys: KeyRing, emails: RecordedEmails) -> AuthService:
    """The auth service as the runtime builds it, with e-mails recorded instead of sent."""
    return AuthService(auth_settings, PasswordHashing(auth_settings), signing_keys, emails)


@pytest.fixture
async def session(auth_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(auth_db) as session:
        yield session
