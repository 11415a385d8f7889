"""Events the library consumes: one small handler each, in the transaction its registration opens
(inbox claim, effect and outbox rows commit together); the export's part opens its own."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.context import LibraryEventContext, LibraryParts
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ExportRequestedV1,
    ImportFilesReservedV1,
    PagesCountedV1,
    ProcessingFailedV1,
    ScoreUploadedV1,
    ThumbnailsGeneratedV1,
    UploadRejectedV1,
    UserDeletedV1,
)
from scoremate_shared.messaging.broker import EventHandlers

handlers: EventHandlers[LibraryParts] = EventHandlers("library")
# The export's part claims its inbox row itself, in the transaction it opens, under its queue's name.
EXPORT_PURPOSE = "export-requested"


@handlers.on(UploadRejectedV1)
async def on_upload_rejected(
    session: AsyncSession, event: UploadRejectedV1, ctx: LibraryEventContext
) -> None:
    """The uploaded object was refused: the score fails with the reason."""
    await ctx.parts.scores.mark_failed(session, event.score_id, event.reason)


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(session: AsyncSession, event: ScoreUploadedV1, ctx: LibraryEventContext) -> None:
    """Attach the verified file facts to the score."""
    await ctx.parts.scores.attach_upload(session, event)


@handlers.on(PagesCountedV1)
async def on_pages_counted(session: AsyncSession, event: PagesCountedV1, ctx: LibraryEventContext) -> None:
    """Store page count and sizes; fill an empty composer from the PDF's author."""
    await ctx.parts.scores.attach_pages(session, event)


@handlers.on(ThumbnailsGeneratedV1)
async def on_thumbnails_generated(
    session: AsyncSession, event: ThumbnailsGeneratedV1, ctx: LibraryEventContext
) -> None:
    """Store the cover; the score is ready once pages and cover exist."""
    await ctx.parts.scores.attach_cover(session, event)


@handlers.on(ProcessingFailedV1)
async def on_processing_failed(
    session: AsyncSession, event: ProcessingFailedV1, ctx: LibraryEventContext
) -> None:
    """A processing job failed for good: the score fails with the reason."""
    await ctx.parts.scores.mark_failed(session, event.score_id, event.reason)


@handlers.on(UserDeletedV1)
async def on_user_deleted(session: AsyncSession, event: UserDeletedV1, ctx: LibraryEventContext) -> None:
    """Erase every score (and setlist) of the user."""
    await ctx.parts.scores.erase_user(session, event.user_id)


@handlers.spanning(ExportRequestedV1, purpose=EXPORT_PURPOSE)
async def on_export_requested(db: Database, event: ExportRequestedV1, ctx: LibraryEventContext) -> None:
    """Write library.json and setlists.json of one snapshot and announce them; spanning: it opens
    its REPEATABLE READ transaction itself (and claims the event in it)."""
    await ctx.parts.archives.write_export_part(
        db, event, ctx.envelope, f"{handlers.service}.{EXPORT_PURPOSE}"
    )


@handlers.on(ImportFilesReservedV1)
async def on_import_files_reserved(
    session: AsyncSession, event: ImportFilesReservedV1, ctx: LibraryEventContext
) -> None:
    """Create the import's scores and setlists, then LibraryImported."""
    await ctx.parts.archives.import_library(session, event)
