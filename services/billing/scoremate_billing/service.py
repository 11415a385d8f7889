"""Billing decisions: accounts, the usage ledger, quotas and referrals."""

import hashlib
import hmac
import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.models import (
    Account,
    HistoryEntry,
    ReferralRedemption,
    ReferralStatus,
    UsageEntry,
    UsedReceipt,
)
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

log = logging.getLogger(__name__)

PRODUCER = "billing"
# Providers that ignore dots in the local part: one mailbox, many spellings.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
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


def mailbox_key(email: str) -> str:
    """The mailbox an address delivers to, as far as the address tells: lower case, without a
    `+tag` sub-address, without the dots Gmail ignores. One mailbox redeems one referral."""
    local, _, domain = email.strip().lower().rpartition("@")
    untagged = local.split("+", 1)[0]
    local = untagged or local
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), _DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


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
        account, status = await self.credit_referral(session, user_id, code)
        await session.commit()
        return RedeemReferralOut(
            bonus_mb=account.bonus_mb,
            total_quota_mb=self.base_quota_mb(account.plan) + account.bonus_mb,
            status=status,
        )

    def mailbox_hash(self, email: str) -> str:
        secret = self.settings.referral_email_hash_secret.encode()
        return hmac.new(secret, mailbox_key(email).encode(), hashlib.sha256).hexdigest()

    async def credit_referral(
        self, session: AsyncSession, user_id: uuid.UUID, code: str
    ) -> tuple[Account, ReferralStatus]:
        """Record the redemption, once per account and per mailbox ever; pay it at once when the
        redeemer's e-mail is verified, else when it is (mark_email_verified).

        A redemption that overtook UserRegistered (billing does not know the address yet) gets
        its mailbox when the event arrives (attach_mailbox), and pays only then."""
        code = code.strip().upper()
        referrer_id = await session.scalar(sa.select(Account.user_id).where(Account.referral_code == code))
        if referrer_id is None:
            raise UnknownReferralCode("No account has this referral code")
        if referrer_id == user_id:
            raise ReferralNotAllowed("Your own referral code cannot be redeemed")
        locked = await self._lock_accounts(session, [user_id, referrer_id], opening=user_id)
        redeemer, referrer = locked[user_id], locked[referrer_id]
        assert redeemer is not None
        if referrer is None:  # deleted since the code was looked up
            raise UnknownReferralCode("No account has this referral code")
        mailbox = self.mailbox_hash(redeemer.email) if redeemer.email else None
        if mailbox is not None and referrer.email and self.mailbox_hash(referrer.email) == mailbox:
            raise ReferralNotAllowed("Your own referral code cannot be redeemed")
        redemption_id = await session.scalar(
            insert(ReferralRedemption)
            .values(
                user_id=user_id,
                referrer_id=referrer_id,
                code=code,
                redeemer_email_hash=mailbox,
                status=ReferralStatus.PENDING,
                bonus_mb=self.settings.referral_bonus_mb,
                referrer_bonus_mb=0,
            )
            # Either key taken (this account, or this mailbox under any account, even deleted).
            .on_conflict_do_nothing()
            .returning(ReferralRedemption.id)
        )
        if redemption_id is None:
            raise ReferralNotAllowed("This account or e-mail address has already redeemed a referral code")
        if mailbox is None or redeemer.email_verified_at is None:
            return redeemer, ReferralStatus.PENDING
        redemption = await session.get(ReferralRedemption, redemption_id)
        assert redemption is not None
        await self._pay(session, redemption, redeemer, referrer)
        return redeemer, ReferralStatus.PAID

    async def mark_email_verified(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Remember the address is verified and pay the user's pending redemption, if any."""
        referrer_id = await session.scalar(
            sa.select(ReferralRedemption.referrer_id).where(
                ReferralRedemption.user_id == user_id, ReferralRedemption.status == ReferralStatus.PENDING
            )
        )
        # Verification may overtake UserRegistered: the account is opened here then.
        locked = await self._lock_accounts(session, [user_id, referrer_id], opening=user_id)
        redeemer = locked[user_id]
        assert redeemer is not None
        if redeemer.email_verified_at is None:
            redeemer.email_verified_at = datetime.now(UTC)
        redemption = await session.scalar(
            sa.select(ReferralRedemption)
            .where(ReferralRedemption.user_id == user_id, ReferralRedemption.status == ReferralStatus.PENDING)
            .with_for_update()
        )
        if redemption is None or redemption.redeemer_email_hash is None:
            return  # nothing pending, or its mailbox is not known yet (attach_mailbox pays it)
        if redemption.referrer_id != referrer_id:  # the referrer was deleted meanwhile
            referrer_id = None
        await self._pay(session, redemption, redeemer, locked.get(referrer_id) if referrer_id else None)

    async def attach_mailbox(self, session: AsyncSession, account: Account) -> None:
        """Give a redemption made before billing knew the address (the account is locked) its
        mailbox; one whose mailbox already redeemed, or is the referrer's, is cancelled."""
        redemption = await session.scalar(
            sa.select(ReferralRedemption)
            .where(
                ReferralRedemption.user_id == account.user_id,
                ReferralRedemption.status == ReferralStatus.PENDING,
                ReferralRedemption.redeemer_email_hash.is_(None),
            )
            .with_for_update()
        )
        if redemption is None or account.email is None:
            return
        mailbox = self.mailbox_hash(account.email)
        taken = await session.scalar(
            sa.select(ReferralRedemption.id).where(ReferralRedemption.redeemer_email_hash == mailbox)
        )
        referrer = (
            await session.get(Account, redemption.referrer_id, with_for_update=True)
            if redemption.referrer_id
            else None
        )
        own = referrer is not None and referrer.email and self.mailbox_hash(referrer.email) == mailbox
        if taken is not None or own:
            log.info("referral of user %s cancelled: this mailbox cannot redeem", account.user_id)
            redemption.status = ReferralStatus.CANCELLED
            return
        # A concurrent attach of the same mailbox fails the unique key here: the retry cancels.
        redemption.redeemer_email_hash = mailbox
        if account.email_verified_at is not None:
            await self._pay(session, redemption, account, referrer)

    async def _pay(
        self,
        session: AsyncSession,
        redemption: ReferralRedemption,
        redeemer: Account,
        referrer: Account | None,
    ) -> None:
        """Credit the redeemer, and the referrer below their cap; both accounts are locked."""
        redemption.status = ReferralStatus.PAID
        redemption.paid_at = datetime.now(UTC)
        payouts = [(redeemer, redemption.bonus_mb, "redeemer", redemption.referrer_id)]
        if referrer is not None:
            paid_before = await session.scalar(
                sa.select(sa.func.count())
                .select_from(ReferralRedemption)
                .where(
                    ReferralRedemption.referrer_id == referrer.user_id,
                    ReferralRedemption.status == ReferralStatus.PAID,
                    ReferralRedemption.referrer_bonus_mb > 0,
                )
            )
            if int(paid_before or 0) < self.settings.referral_max_paid_per_referrer:
                redemption.referrer_bonus_mb = self.settings.referral_bonus_mb
                payouts.append((referrer, redemption.referrer_bonus_mb, "referrer", redeemer.user_id))
            else:
                log.info("referrer %s is at the referral cap: the redeemer alone is paid", referrer.user_id)
        for account, bonus, role, other in payouts:
            account.bonus_mb += bonus
            session.add(
                HistoryEntry(
                    user_id=account.user_id,
                    kind="referral_bonus",
                    amount=bonus,
                    meta={"code": redemption.code, "role": role, "other": str(other) if other else None},
                )
            )
            await self.publish_quota(session, account, "referral_bonus")

    async def _lock_accounts(
        self, session: AsyncSession, user_ids: Iterable[uuid.UUID | None], *, opening: uuid.UUID
    ) -> dict[uuid.UUID, Account | None]:
        """Lock the accounts in a fixed order (two payouts crossing never deadlock); `opening` is
        opened if missing, the others are None when they do not exist (never re-created)."""
        locked: dict[uuid.UUID, Account | None] = {}
        for uid in sorted({uid for uid in user_ids if uid is not None}):
            if uid == opening:
                locked[uid] = await self.open_account(session, uid, None)
            else:
                locked[uid] = await session.get(Account, uid, with_for_update=True, populate_existing=True)
        return locked

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Erase the user's rows; their redemptions stay, pseudonymised. A redeemer leaving
        within the claw-back window takes the referrer's bonus back."""
        referrer_id = await session.scalar(
            sa.select(ReferralRedemption.referrer_id).where(ReferralRedemption.user_id == user_id)
        )
        locked = await self._lock_accounts(session, [user_id, referrer_id], opening=user_id)
        redemption = await session.scalar(
            sa.select(ReferralRedemption).where(ReferralRedemption.user_id == user_id).with_for_update()
        )
        if redemption is not None:
            if redemption.status == ReferralStatus.PENDING:
                redemption.status = ReferralStatus.CANCELLED
            elif redemption.status == ReferralStatus.PAID and self._within_clawback(redemption):
                referrer = locked.get(redemption.referrer_id) if redemption.referrer_id else None
                if referrer is not None and redemption.referrer_bonus_mb > 0:
                    await self._claw_back(session, redemption, referrer)
            redemption.user_id = None
        await session.execute(
            sa.update(ReferralRedemption)
            .where(ReferralRedemption.referrer_id == user_id)
            .values(referrer_id=None)
        )
        for model in (UsageEntry, HistoryEntry, Account):
            await session.execute(sa.delete(model).where(model.user_id == user_id))

    def _within_clawback(self, redemption: ReferralRedemption) -> bool:
        window = timedelta(days=self.settings.referral_clawback_days)
        return redemption.paid_at is not None and redemption.paid_at > datetime.now(UTC) - window

    async def _claw_back(
        self, session: AsyncSession, redemption: ReferralRedemption, referrer: Account
    ) -> None:
        taken = min(redemption.referrer_bonus_mb, referrer.bonus_mb)
        redemption.status = ReferralStatus.CLAWED_BACK
        referrer.bonus_mb -= taken
        session.add(
            HistoryEntry(
                user_id=referrer.user_id,
                kind="referral_bonus",
                amount=-taken,
                meta={"code": redemption.code, "role": "referrer", "reason": "redeemer_deleted"},
            )
        )
        await self.publish_quota(session, referrer, "referral_clawback")
