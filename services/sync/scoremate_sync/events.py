"""Events the sync view is built from: one small handler each, in the transaction its registration
opens (inbox claim, the feed's change and its NOTIFY commit together). Each event type has its own
queue, so two events of one entity may arrive in either order: versions decide, never arrival."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.events import (
    ScoreChangedV1,
    ScoreDeletedV1,
    SetlistChangedV1,
    SetlistDeletedV1,
    ThumbnailsGeneratedV1,
    ThumbnailsProgressedV1,
    UserDeletedV1,
)
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_sync.context import SyncEventContext, SyncParts
from scoremate_sync.models import EntityKind
from scoremate_sync.service import microseconds, thumbnails_body

handlers: EventHandlers[SyncParts] = EventHandlers("sync")


@handlers.on(ScoreChangedV1)
async def on_score_changed(session: AsyncSession, event: ScoreChangedV1, ctx: SyncEventContext) -> None:
    """Keep the score's newest snapshot as the user's next change."""
    await ctx.parts.sync.apply_upsert(
        session,
        event.user_id,
        EntityKind.SCORE,
        event.score_id,
        event.version,
        event.score.model_dump(mode="json"),
    )


@handlers.on(ScoreDeletedV1)
async def on_score_deleted(session: AsyncSession, event: ScoreDeletedV1, ctx: SyncEventContext) -> None:
    """Tombstones for the score and its page images."""
    for kind in (EntityKind.SCORE, EntityKind.THUMBNAILS):
        await ctx.parts.sync.apply_delete(session, event.user_id, kind, event.score_id)


@handlers.on(SetlistChangedV1)
async def on_setlist_changed(session: AsyncSession, event: SetlistChangedV1, ctx: SyncEventContext) -> None:
    """Keep the setlist's newest snapshot as the user's next change."""
    await ctx.parts.sync.apply_upsert(
        session,
        event.user_id,
        EntityKind.SETLIST,
        event.setlist_id,
        event.version,
        event.setlist.model_dump(mode="json"),
    )


@handlers.on(SetlistDeletedV1)
async def on_setlist_deleted(session: AsyncSession, event: SetlistDeletedV1, ctx: SyncEventContext) -> None:
    """A tombstone for the setlist."""
    await ctx.parts.sync.apply_delete(
        session, event.user_id, EntityKind.SETLIST, event.setlist_id, event.version
    )


# The processor's thumbnail events carry no version: the moment each was made orders them, so a
# late progress report never undoes "done", and a re-render's progress (later) shows again.


@handlers.on(ThumbnailsProgressedV1)
async def on_thumbnails_progressed(
    session: AsyncSession, event: ThumbnailsProgressedV1, ctx: SyncEventContext
) -> None:
    """Pages rendered so far of a long score."""
    await ctx.parts.sync.apply_upsert(
        session,
        event.user_id,
        EntityKind.THUMBNAILS,
        event.score_id,
        microseconds(ctx.envelope.occurred_at),
        thumbnails_body(event.score_id, event.pages_done, event.pages_total, done=False),
    )


@handlers.on(ThumbnailsGeneratedV1)
async def on_thumbnails_generated(
    session: AsyncSession, event: ThumbnailsGeneratedV1, ctx: SyncEventContext
) -> None:
    """Every page image is stored."""
    pages = len(event.page_keys)
    await ctx.parts.sync.apply_upsert(
        session,
        event.user_id,
        EntityKind.THUMBNAILS,
        event.score_id,
        microseconds(ctx.envelope.occurred_at),
        thumbnails_body(event.score_id, pages, pages, done=True),
    )


@handlers.on(UserDeletedV1)
async def on_user_deleted(session: AsyncSession, event: UserDeletedV1, ctx: SyncEventContext) -> None:
    """Erase everything of the user."""
    await ctx.parts.sync.erase_user(session, event.user_id)
