"""Events billing consumes: one small idempotent handler each."""

import logging
from typing import TYPE_CHECKING

import sqlalchemy as sa

from scoremate_billing.models import Account
from scoremate_billing.service import ReferralNotAllowed, UnknownReferralCode
from scoremate_shared.events import (
    EventEnvelope,
    ScoreUploadedV1,
    StorageReleasedV1,
    UsageThresholdCrossedV1,
    UserDeletedV1,
    UserEmailVerifiedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_shared.messaging.inbox import claim_event

if TYPE_CHECKING:
    from scoremate_billing.main import BillingRuntime

log = logging.getLogger(__name__)
handlers: "EventHandlers[BillingRuntime]" = EventHandlers("billing")


@handlers.on(UserRegisteredV1)
async def on_user_registered(event: UserRegisteredV1, envelope: EventEnvelope, rt: "BillingRuntime") -> None:
    """Open the account on Solo and publish its quota."""
    async with rt.db.session() as session:
        if not await claim_event(session, envelope, "billing.user-registered"):
            return
        account = await rt.billing.open_account(session, event.user_id, event.referral_code, event.email)
        await rt.billing.publish_quota(session, account, "account_opened")
        await rt.billing.attach_mailbox(session, account)
        if event.referred_by_code:
            try:
                async with session.begin_nested():
                    await rt.billing.credit_referral(session, event.user_id, event.referred_by_code)
            except (UnknownReferralCode, ReferralNotAllowed) as refused:
                log.info("referral code at sign-up not credited: %s", refused)
        await session.commit()


@handlers.on(UserEmailVerifiedV1)
async def on_user_email_verified(
    event: UserEmailVerifiedV1, envelope: EventEnvelope, rt: "BillingRuntime"
) -> None:
    """The redeemer's address is verified: their pending referral pays."""
    async with rt.db.session() as session:
        if not await claim_event(session, envelope, "billing.user-email-verified"):
            return
        await rt.billing.mark_email_verified(session, event.user_id)
        await session.commit()


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(event: ScoreUploadedV1, envelope: EventEnvelope, rt: "BillingRuntime") -> None:
    """Count the stored bytes against the user's quota."""
    async with rt.db.session() as session:
        await rt.billing.record_usage(
            session,
            event_id=envelope.event_id,
            user_id=event.user_id,
            score_id=event.score_id,
            delta_bytes=event.size_bytes,
            reason="score_uploaded",
        )
        await session.commit()


@handlers.on(StorageReleasedV1)
async def on_storage_released(
    event: StorageReleasedV1, envelope: EventEnvelope, rt: "BillingRuntime"
) -> None:
    """Give the released bytes back."""
    async with rt.db.session() as session:
        await rt.billing.record_usage(
            session,
            event_id=envelope.event_id,
            user_id=event.user_id,
            score_id=event.score_id,
            delta_bytes=-event.bytes,
            reason="storage_released",
        )
        await session.commit()


@handlers.on(UserDeletedV1)
async def on_user_deleted(event: UserDeletedV1, envelope: EventEnvelope, rt: "BillingRuntime") -> None:
    """Erase every billing row of the user."""
    async with rt.db.session() as session:
        if not await claim_event(session, envelope, "billing.user-deleted"):
            return
        await rt.billing.erase_user(session, event.user_id)
        await session.commit()


@handlers.on(UsageThresholdCrossedV1, purpose="notify-webhook")
async def on_threshold_webhook(
    event: UsageThresholdCrossedV1, envelope: EventEnvelope, rt: "BillingRuntime"
) -> None:
    """POST the signed notification to the configured webhook (retried by the broker)."""
    await rt.notifier.send_webhook(event, envelope)


@handlers.on(UsageThresholdCrossedV1, purpose="notify-email")
async def on_threshold_email(
    event: UsageThresholdCrossedV1, envelope: EventEnvelope, rt: "BillingRuntime"
) -> None:
    """E-mail the user where SMTP is configured (retried by the broker)."""
    async with rt.db.session() as session:
        email = await session.scalar(sa.select(Account.email).where(Account.user_id == event.user_id))
    await rt.notifier.send_email(event, email)
