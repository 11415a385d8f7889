"""Billing decisions: accounts, the usage ledger and quotas."""

import uuid
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.models import Account, HistoryEntry, ReferralRedemption, UsageEntry, UsedReceipt
from scoremate_billing.receipts import ReceiptRejected, ReceiptVerifier
from scoremate_billing.schemas import (
    HistoryEntryOut,
    PlanChangeIn,
    PlanOut,
    RedeemReferralOut,
    UsageOut,
)
from scoremate_billing.settings import MB, BillingSettings
from scoremate_shared.errors import Conflict, NotFound, ProblemError
from scoremate_shared.events import QuotaChangedV1, UsageThresholdCrossedV1
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page

PRODUCER = "billing"
Plan = Literal["solo", "pro"]
THRESHOLDS = (80, 95)


class PaymentRequired(ProblemError):
    status, slug, title = 402, "receipt-rejected", "Receipt rejected"


class ReceiptUsed(Conflict):
    slug, title = "receipt-used", "Receipt already used"


class UnknownReferralCode(NotFound):
    slug, title = "unknown-referral-code", "Unknown referral code"


class ReferralNotAllowed(Conflict):
    slug, title = "referral-not-allowed", "Referral code cannot be redeemed"


def crossed_thresholds(used: int, total: int, warned: dict[int, bool]) -> tuple[list[int], dict[int, bool]]:
    """Thresholds newly crossed (to announce once) and the armed state after this usage."""
    percent = 100.0 * used / total if total else 100.0
    crossed = [t for t in THRESHOLDS if percent >= t and not warned[t]]
    return crossed, {t: percent >= t for t in THRESHOLDS}


class BillingService:
    def __init__(self, settings: BillingSettings, receipts: ReceiptVerifier) -> None:
        self.settings = settings
        self.receipts = receipts

    def base_quota_mb(self, plan: str) -> int:
        return self.settings.pro_quota_mb if plan == "pro" else self.settings.solo_quota_mb

    def total_bytes(self, account: Account) -> int:
        return (self.base_quota_mb(account.plan) + account.bonus_mb) * MB

    async def open_account(
        self, session: AsyncSession, user_id: uuid.UUID, referral_code: str | None, email: str | None = None
    ) -> Account:
        """Create the account on Solo if it does not exist yet (idempotent); lock it."""
        await session.execute(
            insert(Account)
            .values(user_id=user_id, plan="solo", bonus_mb=0, referral_code=referral_code, email=email)
            .on_conflict_do_nothing(index_elements=[Account.user_id])
        )
        account = await session.get(Account, user_id, with_for_update=True, populate_existing=True)
        assert account is not None
        if referral_code and account.referral_code is None:
            account.referral_code = referral_code  # opened earlier by an upload that overtook registration
        if email and account.email is None:
            account.email = email
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
        """QuotaChanged for every change, and UsageThresholdCrossed once per crossing."""
        used = await self.used_bytes(session, account.user_id)
        total = self.total_bytes(account)
        crossed, armed = crossed_thresholds(used, total, {80: account.warned_80, 95: account.warned_95})
        account.warned_80, account.warned_95 = armed[80], armed[95]
        for threshold in crossed:
            await add_event(
                session,
                UsageThresholdCrossedV1(
                    user_id=account.user_id,
                    threshold=80 if threshold == 80 else 95,
                    used_bytes=used,
                    total_bytes=total,
                ),
                PRODUCER,
            )
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

    # --- plans, history, referrals --------------------------------------------------------------

    async def change_plan(self, session: AsyncSession, user_id: uuid.UUID, body: PlanChangeIn) -> PlanOut:
        account = await self.open_account(session, user_id, None)
        if body.plan != account.plan:
            if body.plan == "pro":
                if not body.receipt:
                    raise PaymentRequired("The Pro plan needs a receipt from the store")
                try:
                    verified = await self.receipts.verify(body.receipt, body.plan)
                except ReceiptRejected as exc:
                    raise PaymentRequired(str(exc)) from exc
                claimed = await session.scalar(
                    insert(UsedReceipt)
                    .values(
                        store=verified.store,
                        transaction_id=verified.transaction_id,
                        user_id=user_id,
                        plan=body.plan,
                    )
                    .on_conflict_do_nothing()
                    .returning(UsedReceipt.transaction_id)
                )
                if claimed is None:
                    raise ReceiptUsed("This receipt has already bought a plan")
                session.add(
                    HistoryEntry(
                        user_id=user_id,
                        kind="payment",
                        amount=verified.amount_cents,
                        meta={
                            "store": verified.store,
                            "receipt_id": verified.transaction_id,
                            "plan": body.plan,
                        },
                    )
                )
            session.add(
                HistoryEntry(
                    user_id=user_id,
                    kind="plan_change",
                    amount=0,
                    meta={"from": account.plan, "to": body.plan},
                )
            )
            account.plan = body.plan
            await self.publish_quota(session, account, "plan_changed")
        await session.commit()
        return await self.plan(session, user_id)

    async def history(
        self, session: AsyncSession, user_id: uuid.UUID, page: int, page_size: int
    ) -> Page[HistoryEntryOut]:
        total = await session.scalar(
            sa.select(sa.func.count()).select_from(HistoryEntry).where(HistoryEntry.user_id == user_id)
        )
        rows = await session.scalars(
            sa.select(HistoryEntry)
            .where(HistoryEntry.user_id == user_id)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        items = [
            HistoryEntryOut(kind=row.kind, amount=row.amount, meta=row.meta, created_at=row.created_at)
            for row in rows
        ]
        return Page(items=items, page=page, page_size=page_size, total=int(total or 0))

    async def redeem_referral(
        self, session: AsyncSession, user_id: uuid.UUID, code: str
    ) -> RedeemReferralOut:
        account = await self.credit_referral(session, user_id, code)
        await session.commit()
        return RedeemReferralOut(
            bonus_mb=account.bonus_mb, total_quota_mb=self.base_quota_mb(account.plan) + account.bonus_mb
        )

    async def credit_referral(self, session: AsyncSession, user_id: uuid.UUID, code: str) -> Account:
        """Credit the bonus to both accounts, once per redeeming user."""
        code = code.strip().upper()
        referrer_id = await session.scalar(sa.select(Account.user_id).where(Account.referral_code == code))
        if referrer_id is None:
            raise UnknownReferralCode("No account has this referral code")
        if referrer_id == user_id:
            raise ReferralNotAllowed("Your own referral code cannot be redeemed")
        # Lock both accounts in a fixed order: two redemptions crossing never deadlock.
        first, second = sorted([user_id, referrer_id])
        locked = {uid: await self.open_account(session, uid, None) for uid in (first, second)}
        inserted = await session.scalar(
            insert(ReferralRedemption)
            .values(
                user_id=user_id, referrer_id=referrer_id, code=code, bonus_mb=self.settings.referral_bonus_mb
            )
            .on_conflict_do_nothing(index_elements=[ReferralRedemption.user_id])
            .returning(ReferralRedemption.user_id)
        )
        if inserted is None:
            raise ReferralNotAllowed("You have already redeemed a referral code")
        bonus = self.settings.referral_bonus_mb
        for uid, other in ((user_id, referrer_id), (referrer_id, user_id)):
            account = locked[uid]
            account.bonus_mb += bonus
            session.add(
                HistoryEntry(
                    user_id=uid,
                    kind="referral_bonus",
                    amount=bonus,
                    meta={
                        "code": code,
                        "role": "redeemer" if uid == user_id else "referrer",
                        "other": str(other),
                    },
                )
            )
            await self.publish_quota(session, account, "referral_bonus")
        return locked[user_id]

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(
            sa.delete(ReferralRedemption).where(
                sa.or_(ReferralRedemption.user_id == user_id, ReferralRedemption.referrer_id == user_id)
            )
        )
        for model in (UsageEntry, HistoryEntry, Account):
            await session.execute(sa.delete(model).where(model.user_id == user_id))
