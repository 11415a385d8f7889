"""Events files consumes: one small handler each. `@handlers.on` runs in the transaction its
registration opens (inbox claim, effect and outbox rows commit together); `@handlers.spanning`
is a flow of several transactions, idempotent on its own."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.access_log import log_admin_action
from scoremate_files.context import FilesEventContext, FilesParts
from scoremate_shared.db import Database
from scoremate_shared.events import (
    AdminActionRecordedV1,
    ImportAcceptedV1,
    QuotaChangedV1,
    ScoreCreatedV1,
    ScoreDeletedV1,
    ThumbnailsGeneratedV1,
    UserDeletedV1,
)
from scoremate_shared.messaging.broker import EventHandlers

handlers: EventHandlers[FilesParts] = EventHandlers("files")


@handlers.spanning(ScoreCreatedV1)
async def on_score_created(db: Database, event: ScoreCreatedV1, ctx: FilesEventContext) -> None:
    """Verify the claimed object (size, SHA-256, %PDF magic); spanning: no row lock while it is read."""
    await ctx.parts.uploads.verify_claimed_upload(db, event.score_id, event.user_id)


@handlers.on(ImportAcceptedV1)
async def on_import_accepted(session: AsyncSession, event: ImportAcceptedV1, ctx: FilesEventContext) -> None:
    """Reserve the import's scores under the user's quota lock (ImportFilesReserved), or refuse
    the whole import when they do not fit (ImportRefused)."""
    await ctx.parts.uploads.reserve_import(session, event)


@handlers.on(ThumbnailsGeneratedV1)
async def on_thumbnails_generated(
    session: AsyncSession, event: ThumbnailsGeneratedV1, ctx: FilesEventContext
) -> None:
    """Index the cover and page images the processor stored."""
    await ctx.parts.files.index_thumbnails(session, event)


@handlers.on(QuotaChangedV1)
async def on_quota_changed(session: AsyncSession, event: QuotaChangedV1, ctx: FilesEventContext) -> None:
    """Keep the quota checked at upload-url time."""
    await ctx.parts.uploads.apply_quota(session, event)


@handlers.spanning(ScoreDeletedV1)
async def on_score_deleted(db: Database, event: ScoreDeletedV1, ctx: FilesEventContext) -> None:
    """Release the score's bytes (StorageReleased); spanning: its objects are deleted after the commit."""
    await ctx.parts.deletions.release_score(db, event.score_id, event.user_id)


@handlers.spanning(UserDeletedV1)
async def on_user_deleted(db: Database, event: UserDeletedV1, ctx: FilesEventContext) -> None:
    """Erase every row and object of the user; spanning: the user's prefix is deleted after the commit."""
    await ctx.parts.deletions.erase_user(db, event.user_id)


@handlers.on(AdminActionRecordedV1)
async def on_admin_action(
    session: AsyncSession, event: AdminActionRecordedV1, ctx: FilesEventContext
) -> None:
    """Keep every admin action, from any service, in the access log."""
    log_admin_action(session, event)
