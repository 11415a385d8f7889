"""Events auth consumes: one small idempotent handler each."""

from typing import TYPE_CHECKING

from scoremate_shared.events import EventEnvelope, QuotaChangedV1, UserRegisteredV1
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_shared.messaging.inbox import claim_event

if TYPE_CHECKING:
    from scoremate_auth.main import AuthRuntime

handlers: "EventHandlers[AuthRuntime]" = EventHandlers("auth")


@handlers.on(QuotaChangedV1)
async def on_quota_changed(event: QuotaChangedV1, envelope: EventEnvelope, rt: "AuthRuntime") -> None:
    """Keep the user's plan for GET /auth/me (a projection: the newest event wins, replays are no-ops)."""
    async with rt.db.session() as session:
        await rt.auth.project_plan(session, event.user_id, event.plan, envelope.occurred_at)


@handlers.on(UserRegisteredV1, purpose="verification-email")
async def on_user_registered(event: UserRegisteredV1, envelope: EventEnvelope, rt: "AuthRuntime") -> None:
    """E-mail the new account its verification link; a mail server failure raises, so the broker
    retries (the token is kept only with the mail that carried it)."""
    async with rt.db.session() as session:
        if not await claim_event(session, envelope, "auth.verification-email"):
            return
        await rt.auth.send_verification_email(session, event.user_id)
        await session.commit()
