"""Events the library consumes: one small idempotent handler each."""

from typing import TYPE_CHECKING

from scoremate_shared.events import (
    EventEnvelope,
    PagesCountedV1,
    ProcessingFailedV1,
    ScoreUploadedV1,
    ThumbnailsGeneratedV1,
    UploadRejectedV1,
    UserDeletedV1,
)
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_shared.messaging.inbox import claim_event

if TYPE_CHECKING:
    from scoremate_library.main import LibraryRuntime

handlers: "EventHandlers[LibraryRuntime]" = EventHandlers("library")


@handlers.on(UploadRejectedV1)
async def on_upload_rejected(event: UploadRejectedV1, envelope: EventEnvelope, rt: "LibraryRuntime") -> None:
    """The uploaded object was refused: the score fails with the reason."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "library.upload-rejected"):
            await rt.scores.mark_failed(session, event.score_id, event.reason)
            await session.commit()


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(event: ScoreUploadedV1, envelope: EventEnvelope, rt: "LibraryRuntime") -> None:
    """Attach the verified file facts to the score."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "library.score-uploaded"):
            await rt.scores.attach_upload(session, event)
            await session.commit()


@handlers.on(PagesCountedV1)
async def on_pages_counted(event: PagesCountedV1, envelope: EventEnvelope, rt: "LibraryRuntime") -> None:
    """Store page count and sizes; fill an empty composer from the PDF's author."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "library.pages-counted"):
            await rt.scores.attach_pages(session, event)
            await session.commit()


@handlers.on(ThumbnailsGeneratedV1)
async def on_thumbnails_generated(
    event: ThumbnailsGeneratedV1, envelope: EventEnvelope, rt: "LibraryRuntime"
) -> None:
    """Store the cover; the score is ready once pages and cover exist."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "library.thumbnails-generated"):
            await rt.scores.attach_cover(session, event)
            await session.commit()


@handlers.on(ProcessingFailedV1)
async def on_processing_failed(
    event: ProcessingFailedV1, envelope: EventEnvelope, rt: "LibraryRuntime"
) -> None:
    """A processing job failed for good: the score fails with the reason."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "library.processing-failed"):
            await rt.scores.mark_failed(session, event.score_id, event.reason)
            await session.commit()


@handlers.on(UserDeletedV1)
async def on_user_deleted(event: UserDeletedV1, envelope: EventEnvelope, rt: "LibraryRuntime") -> None:
    """Erase every score (and setlist) of the user."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "library.user-deleted"):
            await rt.scores.erase_user(session, event.user_id)
            await session.commit()
