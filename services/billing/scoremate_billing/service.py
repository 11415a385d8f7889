"""Billing decisions: accounts, the usage ledger and quotas."""

import uuid
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.models import Account, HistoryEntry, UsageEntry
from scoremate_billing.schemas import PlanOut, UsageOut
from scoremate_billing.settings import MB, BillingSettings
from scoremate_shared.events import QuotaChangedV1
from scoremate_shared.messaging.outbox import add_event

PRODUCER = "billing"
Plan = Literal["solo", "pro"]


class BillingService:
    def __init__(self, settings: BillingSettings) -> None:
        self.settings = settings

    def base_quota_mb(self, plan: str) -> int:
        return self.settings.pro_quota_mb if plan == "pro" else self.settings.solo_quota_mb

    def total_bytes(self, account: Account) -> int:
        return (self.base_quota_mb(account.plan) + account.bonus_mb) * MB

    async def open_account(
        self, session: AsyncSession, user_id: uuid.UUID, referral_code: str | None
    ) -> Account:
        """Create the account on Solo if it does not exist yet (idempotent)."""
        await session.execute(
            insert(Account)
            .values(user_id=user_id, plan="solo", bonus_mb=0, referral_code=referral_code)
            .on_conflict_do_nothing(index_elements=[Account.user_id])
        )
        account = await session.get(Account, user_id, with_for_update=True)
        assert account is not None
        return account

    async def used_bytes(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        used = await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(UsageEntry.delta_bytes), 0)).where(
                UsageEntry.user_id == user_id
            )
        )
        return int(used or 0)

    async def record_usage(
        self,
        session: AsyncSession,
        *,
        event_id: uuid.UUID,
        user_id: uuid.UUID,
        score_id: uuid.UUID | None,
        delta_bytes: int,
        reason: str,
    ) -> bool:
        """Append one ledger entry keyed by the causing event; False if it was already counted."""
        # Lock the account row so concurrent entries of one user publish usage in order.
        account = await self.open_account(session, user_id, None)
        inserted = await session.scalar(
            insert(UsageEntry)
            .values(
                event_id=event_id,
                user_id=user_id,
                score_id=score_id,
                delta_bytes=delta_bytes,
                reason=reason,
            )
            .on_conflict_do_nothing(index_elements=[UsageEntry.event_id])
            .returning(UsageEntry.event_id)
        )
        if inserted is None:
            return False
        await self.publish_quota(session, account, reason)
        return True

    async def publish_quota(self, session: AsyncSession, account: Account, reason: str) -> None:
        used = await self.used_bytes(session, account.user_id)
        await add_event(
            session,
            QuotaChangedV1(
                user_id=account.user_id,
                plan="pro" if account.plan == "pro" else "solo",
                total_bytes=self.total_bytes(account),
                used_bytes=used,
                reason=reason,
            ),
            PRODUCER,
        )

    async def plan(self, session: AsyncSession, user_id: uuid.UUID) -> PlanOut:
        account = await session.get(Account, user_id) or Account(user_id=user_id, plan="solo", bonus_mb=0)
        base = self.base_quota_mb(account.plan)
        return PlanOut(
            plan="pro" if account.plan == "pro" else "solo",
            base_quota_mb=base,
            bonus_mb=account.bonus_mb,
            total_quota_mb=base + account.bonus_mb,
        )

    async def usage(self, session: AsyncSession, user_id: uuid.UUID) -> UsageOut:
        account = await session.get(Account, user_id) or Account(user_id=user_id, plan="solo", bonus_mb=0)
        used = await self.used_bytes(session, user_id)
        per_score = (
            sa.select(UsageEntry.score_id)
            .where(UsageEntry.user_id == user_id, UsageEntry.score_id.is_not(None))
            .group_by(UsageEntry.score_id)
            .having(sa.func.sum(UsageEntry.delta_bytes) > 0)
            .subquery()
        )
        scores = await session.scalar(sa.select(sa.func.count()).select_from(per_score))
        total = self.total_bytes(account)
        percent = round(100.0 * used / total, 2) if total else 100.0
        warning: Literal[80, 95] | None = 95 if percent >= 95 else 80 if percent >= 80 else None
        return UsageOut(
            used_bytes=used, total_bytes=total, percent=percent, warning=warning, scores=int(scores or 0)
        )

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        for model in (UsageEntry, HistoryEntry, Account):
            await session.execute(sa.delete(model).where(model.user_id == user_id))
