"""Events billing consumes: one small idempotent handler each."""

from typing import TYPE_CHECKING

from scoremate_shared.events import (
    EventEnvelope,
    ScoreUploadedV1,
    StorageReleasedV1,
    UserDeletedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_shared.messaging.inbox import claim_event

if TYPE_CHECKING:
    from scoremate_billing.main import BillingRuntime

handlers: "EventHandlers[BillingRuntime]" = EventHandlers("billing")


@handlers.on(UserRegisteredV1)
async def on_user_registered(event: UserRegisteredV1, envelope: EventEnvelope, rt: "BillingRuntime") -> None:
    """Open the account on Solo and publish its quota."""
    async with rt.db.session() as session:
        if not await claim_event(session, envelope, "billing.user-registered"):
            return
        account = await rt.billing.open_account(session, event.user_id, event.referral_code)
        await rt.billing.publish_quota(session, account, "account_opened")
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
