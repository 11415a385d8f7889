"""Billing's Idempotency-Key table: a deleted user's keys (and the responses kept for them) go
with the account."""

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.referrals import ReferralService
from scoremate_shared.idempotency import idempotency_table


async def test_erasing_a_user_forgets_their_idempotency_keys(
    session: AsyncSession, referrals: ReferralService
):
    user_id, other_id = uuid.uuid4(), uuid.uuid4()
    for owner in (user_id, other_id):
        await session.execute(
            sa.insert(idempotency_table).values(
                user_id=owner,
                method="POST",
                path="/billing/plan",
                key="k",
                request_hash=b"h",
                status_code=200,
                response_headers=[],
                response_body=b"{}",
                expires_at=sa.func.now() + sa.text("interval '1 hour'"),
            )
        )
    await referrals.erase_user(session, user_id)
    owners = (await session.scalars(sa.select(idempotency_table.c.user_id))).all()
    assert user_id not in owners
    assert other_id in owners
