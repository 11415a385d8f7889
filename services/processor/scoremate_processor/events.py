"""Events the processor consumes, and its own job queue: one small handler each."""

from typing import TYPE_CHECKING

from scoremate_processor.schemas import ProcessorJobRequestedV1
from scoremate_shared.events import EventEnvelope, ScoreDeletedV1, ScoreUploadedV1, UserDeletedV1
from scoremate_shared.messaging.broker import EventHandlers
from scoremate_shared.messaging.inbox import claim_event

if TYPE_CHECKING:
    from scoremate_processor.main import ProcessorRuntime

handlers: "EventHandlers[ProcessorRuntime]" = EventHandlers("processor")


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(event: ScoreUploadedV1, envelope: EventEnvelope, rt: "ProcessorRuntime") -> None:
    """Create the PDF_INFO task and request it (THUMBNAIL follows once pages are counted)."""
    async with rt.db.session() as session:
        if await claim_event(session, envelope, "processor.score-uploaded"):
            await rt.processor.on_score_uploaded(session, event)
            await session.commit()


# Twice the default render workers: one job renders while another downloads, uploads or records its
# outcome.
@handlers.on(ProcessorJobRequestedV1, purpose="jobs", prefetch=4)
async def on_job_requested(
    event: ProcessorJobRequestedV1, envelope: EventEnvelope, rt: "ProcessorRuntime"
) -> None:
    """Run one task in isolated workers (a page count goes on to its thumbnails); a passing failure
    comes back through the broker's delay queue."""
    await rt.processor.run_job(rt.db, event.task_id)


@handlers.on(ScoreDeletedV1)
async def on_score_deleted(event: ScoreDeletedV1, envelope: EventEnvelope, rt: "ProcessorRuntime") -> None:
    """Drop the score's tasks."""
    async with rt.db.session() as session:
        await rt.processor.drop_score(session, event.score_id)
        await session.commit()


@handlers.on(UserDeletedV1)
async def on_user_deleted(event: UserDeletedV1, envelope: EventEnvelope, rt: "ProcessorRuntime") -> None:
    """Drop every task of the user."""
    async with rt.db.session() as session:
        await rt.processor.erase_user(session, event.user_id)
        await session.commit()
