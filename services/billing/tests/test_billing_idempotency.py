"""Billing's Idempotency-Key table: a deleted user's keys (and the responses kept for them) go
with the account."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.referrals import ReferralService
from scoremate_shared.testing import assert_erasure_forgets_idempotency_keys


async def test_erasing_a_user_forgets_their_idempotency_keys(
    session: AsyncSession, referrals: ReferralService
):
    await assert_erasure_forgets_idempotency_keys(session, referrals.erase_user, "/billing/plan")
