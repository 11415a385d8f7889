"""Events auth consumes: one small handler each, in the transaction its registration opens
(inbox claim, effect and outbox rows commit together)."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_auth.context import AuthEventContext, AuthParts
from scoremate_shared.events import ExportRequestedV1, QuotaChangedV1, UserRegisteredV1
from scoremate_shared.messaging.broker import EventHandlers

handlers: EventHandlers[AuthParts] = EventHandlers("auth")


@handlers.on(QuotaChangedV1)
async def on_quota_changed(session: AsyncSession, event: QuotaChangedV1, ctx: AuthEventContext) -> None:
    """Keep the user's plan for GET /auth/me (a projection: the newest event wins, replays are no-ops)."""
    await ctx.parts.auth.project_plan(session, event.user_id, event.plan, ctx.envelope.occurred_at)


@handlers.on(UserRegisteredV1, purpose="verification-email")
async def on_user_registered(session: AsyncSession, event: UserRegisteredV1, ctx: AuthEventContext) -> None:
    """E-mail the new account its verification link; a mail server failure raises, so the broker
    retries (the token is kept only with the mail that carried it)."""
    await ctx.parts.auth.send_verification_email(session, event.user_id)


@handlers.on(ExportRequestedV1)
async def on_export_requested(session: AsyncSession, event: ExportRequestedV1, ctx: AuthEventContext) -> None:
    """Write the account's profile.json, the export's "profile" part, and announce it."""
    await ctx.parts.profile_export.write_part(session, event)
