"""Events billing consumes: one small handler each, in the transaction its registration opens
(inbox claim, effect and outbox rows commit together). The usage ledger is keyed by the causing
event's id as well: a usage entry counts once whatever the inbox says."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.context import BillingEventContext, BillingParts
from scoremate_billing.models import UsageReason
from scoremate_shared.events import (
    ExportRequestedV1,
    ScoreUploadedV1,
    StorageReleasedV1,
    ThumbnailsGeneratedV1,
    UsageThresholdCrossedV1,
    UserDeletedV1,
    UserEmailVerifiedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.broker import EventHandlers

handlers: EventHandlers[BillingParts] = EventHandlers("billing")


@handlers.on(UserRegisteredV1)
async def on_user_registered(
    session: AsyncSession, event: UserRegisteredV1, ctx: BillingEventContext
) -> None:
    """Open the account on Solo, publish its quota, credit a referral code given at sign-up."""
    await ctx.parts.referrals.open_registered_account(session, event)


@handlers.on(UserEmailVerifiedV1)
async def on_user_email_verified(
    session: AsyncSession, event: UserEmailVerifiedV1, ctx: BillingEventContext
) -> None:
    """The redeemer's address is verified: their pending referral pays."""
    await ctx.parts.referrals.mark_email_verified(session, event.user_id)


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(session: AsyncSession, event: ScoreUploadedV1, ctx: BillingEventContext) -> None:
    """Count the stored bytes against the user's quota."""
    await ctx.parts.billing.record_usage(
        session,
        event_id=ctx.envelope.event_id,
        user_id=event.user_id,
        score_id=event.score_id,
        delta_bytes=event.size_bytes,
        reason=UsageReason.SCORE_UPLOADED,
    )


@handlers.on(ThumbnailsGeneratedV1)
async def on_thumbnails_generated(
    session: AsyncSession, event: ThumbnailsGeneratedV1, ctx: BillingEventContext
) -> None:
    """Count the score's cover and page images against the user's quota (a re-render replaces them)."""
    await ctx.parts.billing.record_derived_images(session, ctx.envelope.event_id, event)


@handlers.on(StorageReleasedV1)
async def on_storage_released(
    session: AsyncSession, event: StorageReleasedV1, ctx: BillingEventContext
) -> None:
    """Give the released bytes back: the original's and the score's images."""
    await ctx.parts.billing.release_score(session, ctx.envelope.event_id, event)


@handlers.on(ExportRequestedV1)
async def on_export_requested(
    session: AsyncSession, event: ExportRequestedV1, ctx: BillingEventContext
) -> None:
    """Write the account's billing.json, the export's "billing" part, and announce it."""
    await ctx.parts.export.write_part(session, event, ctx.envelope)


@handlers.on(UserDeletedV1)
async def on_user_deleted(session: AsyncSession, event: UserDeletedV1, ctx: BillingEventContext) -> None:
    """Erase every billing row of the user (their referrals stay, pseudonymised)."""
    await ctx.parts.referrals.erase_user(session, event.user_id)


# The notifications do network I/O inside their registration's transaction, on purpose: the inbox
# claim is taken first and committed only after the delivery succeeded, so a duplicate delivery
# waits on the claimed row and then skips (never sends twice), and a failed delivery rolls the
# claim back for the broker's retry. A commit failing after a delivery sends it again on retry;
# receivers dedupe on `event_id`. The cost, one connection held for at most the delivery's
# timeout, is paid once per threshold crossing.
@handlers.on(UsageThresholdCrossedV1, purpose="notify-webhook")
async def on_threshold_webhook(
    session: AsyncSession, event: UsageThresholdCrossedV1, ctx: BillingEventContext
) -> None:
    """POST the signed notification to the webhook; transactional: claimed once the receiver took it."""
    await ctx.parts.notifier.send_webhook(event, ctx.envelope)


@handlers.on(UsageThresholdCrossedV1, purpose="notify-email")
async def on_threshold_email(
    session: AsyncSession, event: UsageThresholdCrossedV1, ctx: BillingEventContext
) -> None:
    """E-mail the user where SMTP is set; transactional: claimed once the mail server took it."""
    email = await ctx.parts.billing.notification_address(session, event.user_id)
    await ctx.parts.notifier.send_email(event, email)
