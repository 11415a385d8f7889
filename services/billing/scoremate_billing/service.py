"""Billing decisions: accounts and plans, the usage ledger and the quota it is measured against
(referrals are in referrals.py). Methods flush when they need to; the caller's unit of work (the
request's session, the event's registration) commits."""

import uuid
from enum import StrEnum
from typing import Literal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing import repository
from scoremate_billing.models import (
    Account,
    HistoryEntry,
    HistoryKind,
    Plan,
    UsageReason,
    UsedReceipt,
)
from scoremate_billing.receipts import ReceiptRejected, ReceiptVerifier
from scoremate_billing.schemas import (
    AdminUserOut,
    HistoryEntryOut,
    PlanChangeIn,
    PlanOut,
    UsageOut,
)
from scoremate_billing.settings import MB, BillingSettings
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import Principal
from scoremate_shared.errors import Conflict, ProblemError
from scoremate_shared.events import (
    QuotaChangedV1,
    StorageReleasedV1,
    ThumbnailsGeneratedV1,
    UsageThresholdCrossedV1,
)
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page, paginate

PRODUCER = "billing"
THRESHOLDS = (80, 95)
# The entries that count a score's cover and page images.
_DERIVED = (UsageReason.DERIVED_IMAGES, UsageReason.DERIVED_IMAGES_RELEASED)


class QuotaChangeReason(StrEnum):
    """QuotaChanged's `reason` for a change that is no ledger entry (an entry gives its UsageReason)."""

    ACCOUNT_OPENED = "account_opened"
    PLAN_CHANGED = "plan_changed"
    REFERRAL_BONUS = "referral_bonus"
    REFERRAL_CLAWBACK = "referral_clawback"


class PaymentRequired(ProblemError):
    status, slug, title = 402, "receipt-rejected", "Receipt rejected"


class ReceiptUsed(Conflict):
    slug, title = "receipt-used", "Receipt already used"


def crossed_thresholds(used: int, total: int, warned: dict[int, bool]) -> tuple[list[int], dict[int, bool]]:
    """Thresholds newly crossed (to announce once) and the armed state after this usage."""
    percent = 100.0 * used / total if total else 100.0
    crossed = [t for t in THRESHOLDS if percent >= t and not warned[t]]
    return crossed, {t: percent >= t for t in THRESHOLDS}


def wire_plan(plan: str) -> Literal["solo", "pro"]:
    """The stored plan as QuotaChanged's literal type."""
    return Plan.PRO.value if plan == Plan.PRO else Plan.SOLO.value


class BillingService:
    def __init__(self, settings: BillingSettings, receipts: ReceiptVerifier) -> None:
        self.settings = settings
        self.receipts = receipts

    def base_quota_mb(self, plan: str) -> int:
        return self.settings.pro_quota_mb if plan == Plan.PRO else self.settings.solo_quota_mb

    def total_bytes(self, account: Account) -> int:
        return (self.base_quota_mb(account.plan) + account.bonus_mb) * MB

    async def open_account(
        self, session: AsyncSession, user_id: uuid.UUID, referral_code: str | None, email: str | None = None
    ) -> Account:
        """Create the account on Solo if it does not exist yet (idempotent); lock it."""
        # The locked read below refreshes the row from the database: this transaction's pending
        # changes (a flag, an address set earlier in it) must be in the row first, not lost.
        await session.flush()
        await session.execute(
            insert(Account)
            .values(user_id=user_id, plan=Plan.SOLO, bonus_mb=0, referral_code=referral_code, email=email)
            .on_conflict_do_nothing(index_elements=[Account.user_id])
        )
        account = await session.get(Account, user_id, with_for_update=True, populate_existing=True)
        assert account is not None
        if referral_code and account.referral_code is None:
            account.referral_code = referral_code  # opened earlier by an upload that overtook registration
        if email and account.email is None:
            account.email = email
        return account

    async def record_usage(
        self,
        session: AsyncSession,
        *,
        event_id: uuid.UUID,
        user_id: uuid.UUID,
        score_id: uuid.UUID | None,
        delta_bytes: int,
        reason: UsageReason,
    ) -> bool:
        """Append one ledger entry keyed by the causing event; False if it was already counted."""
        # Lock the account row so concurrent entries of one user publish usage in order.
        account = await self.open_account(session, user_id, None)
        inserted = await repository.append_usage(
            session,
            event_id=event_id,
            user_id=user_id,
            score_id=score_id,
            delta_bytes=delta_bytes,
            reason=reason,
        )
        if inserted:
            await self.publish_quota(session, account, reason)
        return inserted

    async def record_derived_images(
        self, session: AsyncSession, event_id: uuid.UUID, event: ThumbnailsGeneratedV1
    ) -> bool:
        """ThumbnailsGenerated: the score's images now take `bytes_total`. A re-render overwrites
        the same keys, so the entry is the difference from what its images counted so far; images
        of a score already released are not counted (they went, or go, with its prefix)."""
        account = await self.open_account(session, event.user_id, None)  # orders this user's entries
        if await repository.score_released(session, event.user_id, event.score_id):
            return False
        counted = await repository.score_bytes(session, event.user_id, event.score_id, _DERIVED)
        inserted = await repository.append_usage(
            session,
            event_id=event_id,
            user_id=event.user_id,
            score_id=event.score_id,
            delta_bytes=event.bytes_total - counted,
            reason=UsageReason.DERIVED_IMAGES,
        )
        if inserted and event.bytes_total != counted:
            await self.publish_quota(session, account, UsageReason.DERIVED_IMAGES)
        return inserted

    async def release_score(
        self, session: AsyncSession, event_id: uuid.UUID, event: StorageReleasedV1
    ) -> bool:
        """StorageReleased: the original's bytes (the event's) and the score's images (what the
        ledger counts for them) are given back, each once: the images' entry is keyed by an id
        made from the event's, so a replay of the event finds both taken."""
        account = await self.open_account(session, event.user_id, None)
        derived = await repository.score_bytes(session, event.user_id, event.score_id, _DERIVED)
        released = await repository.append_usage(
            session,
            event_id=event_id,
            user_id=event.user_id,
            score_id=event.score_id,
            delta_bytes=-event.bytes,
            reason=UsageReason.STORAGE_RELEASED,
        )
        if not released:
            return False
        if derived:
            await repository.append_usage(
                session,
                event_id=uuid.uuid5(event_id, UsageReason.DERIVED_IMAGES_RELEASED),
                user_id=event.user_id,
                score_id=event.score_id,
                delta_bytes=-derived,
                reason=UsageReason.DERIVED_IMAGES_RELEASED,
            )
        await self.publish_quota(session, account, UsageReason.STORAGE_RELEASED)
        return True

    async def publish_quota(
        self, session: AsyncSession, account: Account, reason: UsageReason | QuotaChangeReason
    ) -> None:
        """QuotaChanged for every change, and UsageThresholdCrossed once per crossing."""
        used = await repository.used_bytes(session, account.user_id)
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
                plan=wire_plan(account.plan),
                total_bytes=total,
                used_bytes=used,
                reason=reason,
            ),
            PRODUCER,
        )

    async def plan(self, session: AsyncSession, user_id: uuid.UUID) -> PlanOut:
        account = await session.get(Account, user_id) or Account(user_id=user_id, plan=Plan.SOLO, bonus_mb=0)
        base = self.base_quota_mb(account.plan)
        return PlanOut(
            plan=Plan(account.plan),
            base_quota_mb=base,
            bonus_mb=account.bonus_mb,
            total_quota_mb=base + account.bonus_mb,
        )

    async def usage(self, session: AsyncSession, user_id: uuid.UUID) -> UsageOut:
        account = await session.get(Account, user_id) or Account(user_id=user_id, plan=Plan.SOLO, bonus_mb=0)
        used = await repository.used_bytes(session, user_id)
        total = self.total_bytes(account)
        percent = round(100.0 * used / total, 2) if total else 100.0
        warning: Literal[80, 95] | None = 95 if percent >= 95 else 80 if percent >= 80 else None
        return UsageOut(
            used_bytes=used,
            total_bytes=total,
            percent=percent,
            warning=warning,
            scores=await repository.scores_in_use(session, user_id),
        )

    async def notification_address(self, session: AsyncSession, user_id: uuid.UUID) -> str | None:
        return await repository.account_email(session, user_id)

    async def list_accounts(
        self, session: AsyncSession, admin: Principal, page: int, page_size: int
    ) -> Page[AdminUserOut]:
        """Every account, newest first, with its quota and the ledger's sum (an admin action)."""
        found = await paginate(session, repository.accounts_newest_first(), page, page_size)
        used = await repository.used_bytes_of_users(session, [a.user_id for a in found.items])
        await record_admin_action(session, self.settings.service_name, admin, "list_users", f"page {page}")
        return Page(
            items=[
                AdminUserOut(
                    user_id=a.user_id,
                    plan=Plan(a.plan),
                    total_quota_bytes=self.total_bytes(a),
                    used_bytes=used.get(a.user_id, 0),
                    created_at=a.created_at,
                )
                for a in found.items
            ],
            page=found.page,
            page_size=found.page_size,
            total=found.total,
        )

    # --- plans, history, referrals --------------------------------------------------------------

    async def change_plan(self, session: AsyncSession, user_id: uuid.UUID, body: PlanChangeIn) -> PlanOut:
        account = await self.open_account(session, user_id, None)
        if body.plan != account.plan:
            if body.plan == Plan.PRO:
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
                        kind=HistoryKind.PAYMENT,
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
                    kind=HistoryKind.PLAN_CHANGE,
                    amount=0,
                    meta={"from": account.plan, "to": body.plan},
                )
            )
            account.plan = body.plan
            await self.publish_quota(session, account, QuotaChangeReason.PLAN_CHANGED)
        return await self.plan(session, user_id)

    async def history(
        self, session: AsyncSession, user_id: uuid.UUID, page: int, page_size: int
    ) -> Page[HistoryEntryOut]:
        found = await paginate(session, repository.history_newest_first(user_id), page, page_size)
        items = [
            HistoryEntryOut(
                kind=HistoryKind(row.kind), amount=row.amount, meta=row.meta, created_at=row.created_at
            )
            for row in found.items
        ]
        return Page(items=items, page=found.page, page_size=found.page_size, total=found.total)
