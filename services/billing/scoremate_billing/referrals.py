"""Referrals: a code redeems once per account and per mailbox, ever; it pays when the redeemer's
address is verified, and the referrer's bonus goes back when the redeemer leaves soon after. Also
the account flows that involve them: sign-up with a code, erasure."""

import hashlib
import hmac
import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.models import (
    Account,
    HistoryEntry,
    HistoryKind,
    ReferralRedemption,
    ReferralRole,
    ReferralStatus,
    UsageEntry,
)
from scoremate_billing.schemas import RedeemReferralOut
from scoremate_billing.service import BillingService, QuotaChangeReason
from scoremate_billing.settings import BillingSettings
from scoremate_shared.errors import Conflict, NotFound
from scoremate_shared.events import UserRegisteredV1
from scoremate_shared.idempotency import forget_user_keys

log = logging.getLogger(__name__)

# Providers that ignore dots in the local part: one mailbox, many spellings.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


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


class ReferralService:
    def __init__(self, settings: BillingSettings, billing: BillingService) -> None:
        self.settings = settings
        self.billing = billing

    async def open_registered_account(self, session: AsyncSession, event: UserRegisteredV1) -> None:
        """UserRegistered: the account on Solo, its quota published, and the referral code given at
        sign-up credited when it may be (a refused code does not stop the account)."""
        account = await self.billing.open_account(session, event.user_id, event.referral_code, event.email)
        await self.billing.publish_quota(session, account, QuotaChangeReason.ACCOUNT_OPENED)
        await self.attach_mailbox(session, account)
        if event.referred_by_code:
            try:
                async with session.begin_nested():
                    await self.credit_referral(session, event.user_id, event.referred_by_code)
            except (UnknownReferralCode, ReferralNotAllowed) as refused:
                log.info("referral code at sign-up not credited: %s", refused)

    async def redeem_referral(
        self, session: AsyncSession, user_id: uuid.UUID, code: str
    ) -> RedeemReferralOut:
        account, status = await self.credit_referral(session, user_id, code)
        return RedeemReferralOut(
            bonus_mb=account.bonus_mb,
            total_quota_mb=self.billing.base_quota_mb(account.plan) + account.bonus_mb,
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
        locked = await self.lock_accounts(session, [user_id, referrer_id], opening=user_id)
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
        locked = await self.lock_accounts(session, [user_id, referrer_id], opening=user_id)
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
        payouts = [(redeemer, redemption.bonus_mb, ReferralRole.REDEEMER, redemption.referrer_id)]
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
                payouts.append(
                    (referrer, redemption.referrer_bonus_mb, ReferralRole.REFERRER, redeemer.user_id)
                )
            else:
                log.info("referrer %s is at the referral cap: the redeemer alone is paid", referrer.user_id)
        for account, bonus, role, other in payouts:
            account.bonus_mb += bonus
            session.add(
                HistoryEntry(
                    user_id=account.user_id,
                    kind=HistoryKind.REFERRAL_BONUS,
                    amount=bonus,
                    meta={"code": redemption.code, "role": role, "other": str(other) if other else None},
                )
            )
            await self.billing.publish_quota(session, account, QuotaChangeReason.REFERRAL_BONUS)

    async def lock_accounts(
        self, session: AsyncSession, user_ids: Iterable[uuid.UUID | None], *, opening: uuid.UUID
    ) -> dict[uuid.UUID, Account | None]:
        """Lock the accounts in a fixed order (two payouts crossing never deadlock); `opening` is
        opened if missing, the others are None when they do not exist (never re-created)."""
        await session.flush()  # the locked reads refresh the rows: pending changes go in first
        locked: dict[uuid.UUID, Account | None] = {}
        for uid in sorted({uid for uid in user_ids if uid is not None}):
            if uid == opening:
                locked[uid] = await self.billing.open_account(session, uid, None)
            else:
                locked[uid] = await session.get(Account, uid, with_for_update=True, populate_existing=True)
        return locked

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Erase the user's rows; their redemptions stay, pseudonymised. A redeemer leaving
        within the claw-back window takes the referrer's bonus back."""
        referrer_id = await session.scalar(
            sa.select(ReferralRedemption.referrer_id).where(ReferralRedemption.user_id == user_id)
        )
        locked = await self.lock_accounts(session, [user_id, referrer_id], opening=user_id)
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
        await forget_user_keys(session, user_id)

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
                kind=HistoryKind.REFERRAL_BONUS,
                amount=-taken,
                meta={"code": redemption.code, "role": ReferralRole.REFERRER, "reason": "redeemer_deleted"},
            )
        )
        await self.billing.publish_quota(session, referrer, QuotaChangeReason.REFERRAL_CLAWBACK)
