import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_billing
from scoremate_billing.receipts import receipt_verifier
from scoremate_billing.referrals import ReferralService
from scoremate_billing.service import BillingService
from scoremate_billing.settings import BillingSettings
from scoremate_shared.db import Database
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_billing.__file__).parent / "migrations"


@pytest.fixture(scope="session")
def billing_settings(service_settings: Callable[..., BillingSettings]) -> BillingSettings:
    """What the stack gives billing (development: the sandbox receipt verifier)."""
    return service_settings(BillingSettings, "billing")


@pytest.fixture(scope="session")
async def billing_db(billing_settings: BillingSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, billing_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def billing(billing_settings: BillingSettings) -> BillingService:
    return BillingService(billing_settings, receipt_verifier(billing_settings))


@pytest.fixture(scope="session")
def referrals(billing_settings: BillingSettings, billing: BillingService) -> ReferralService:
    return ReferralService(billing_settings, billing)


@pytest.fixture
async def session(billing_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(billing_db) as session:
        yield session
