"""Events auth consumes: one small idempotent handler each."""

from typing import TYPE_CHECKING

from scoremate_shared.events import EventEnvelope, QuotaChangedV1
from scoremate_shared.messaging.broker import EventHandlers

if TYPE_CHECKING:
    from scoremate_auth.main import AuthRuntime

handlers: "EventHandlers[AuthRuntime]" = EventHandlers("auth")


@handlers.on(QuotaChangedV1)
async def on_quota_changed(event: QuotaChangedV1, envelope: EventEnvelope, rt: "AuthRuntime") -> None:
    """Keep the user's plan for GET /auth/me (a projection: the newest event wins, replays are no-ops)."""
    async with rt.db.session() as session:
        await rt.auth.project_plan(session, event.user_id, event.plan, envelope.occurred_at)
