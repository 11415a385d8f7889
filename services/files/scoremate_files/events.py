"""Events files consumes: one small idempotent handler each."""

from typing import TYPE_CHECKING

from scoremate_shared.events import (
    AdminActionRecordedV1,
    EventEnvelope,
    QuotaChangedV1,
    ScoreCreatedV1,
    ScoreDeletedV1,
    ThumbnailsGeneratedV1,
    UserDeletedV1,
)
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_shared.messaging.inbox import claim_event

if TYPE_CHECKING:
    from scoremate_files.main import FilesRuntime

handlers: "EventHandlers[FilesRuntime]" = EventHandlers("files")


@handlers.on(ScoreCreatedV1)
async def on_score_created(event: ScoreCreatedV1, envelope: EventEnvelope, rt: "FilesRuntime") -> None:
    """Verify the claimed object (exists, size, SHA-256, %PDF magic); its status makes this idempotent."""
    await rt.files.verify_claimed_upload(rt.db, event.score_id, event.user_id)


@handlers.on(ThumbnailsGeneratedV1)
async def on_thumbnails_generated(
    event: ThumbnailsGeneratedV1, envelope: EventEnvelope, rt: "FilesRuntime"
) -> None:
    """Index the cover and page images the processor stored."""
    async with rt.db.session() as session:
        await rt.files.index_thumbnails(session, event)
        await session.commit()


@handlers.on(QuotaChangedV1)
async def on_quota_changed(event: QuotaChangedV1, envelope: EventEnvelope, rt: "FilesRuntime") -> None:
    """Keep the quota checked at upload-url time."""
    async with rt.db.session() as session:
        await rt.files.apply_quota(session, event)
        await session.commit()


@handlers.on(ScoreDeletedV1)
async def on_score_deleted(event: ScoreDeletedV1, envelope: EventEnvelope, rt: "FilesRuntime") -> None:
    """Delete the score's objects, then release its bytes (StorageReleased)."""
    await rt.files.release_score(rt.db, event.score_id, event.user_id, envelope.event_id)


@handlers.on(UserDeletedV1)
async def on_user_deleted(event: UserDeletedV1, envelope: EventEnvelope, rt: "FilesRuntime") -> None:
    """Delete every object and row of the user."""
    await rt.files.erase_user(rt.db, event.user_id)


@handlers.on(AdminActionRecordedV1)
async def on_admin_action(event: AdminActionRecordedV1, envelope: EventEnvelope, rt: "FilesRuntime") -> None:
    """Keep every admin action, from any service, in the access log."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "files.admin-action-recorded"):
            rt.files.log_admin_action(session, event)
            await session.commit()
