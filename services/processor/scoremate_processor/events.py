"""Events the processor consumes, and its own job queue: one small handler each. The transactional
ones run in the transaction their registration opens (inbox claim, effect and outbox rows commit
together); a job spans several."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.context import ProcessorEventContext, ProcessorParts
from scoremate_processor.schemas import ProcessorJobRequestedV1
from scoremate_shared.db import Database
from scoremate_shared.events import ScoreDeletedV1, ScoreUploadedV1, UserDeletedV1
from scoremate_shared.messaging.broker import EventHandlers

handlers: EventHandlers[ProcessorParts] = EventHandlers("processor")


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(
    session: AsyncSession, event: ScoreUploadedV1, ctx: ProcessorEventContext
) -> None:
    """Create the PDF_INFO task and request it (THUMBNAIL follows once pages are counted)."""
    await ctx.parts.tasks.on_score_uploaded(session, event)


# Twice the default render workers: one job renders while another downloads, uploads or records its
# outcome.
@handlers.spanning(ProcessorJobRequestedV1, purpose="jobs", prefetch=4)
async def on_job_requested(db: Database, event: ProcessorJobRequestedV1, ctx: ProcessorEventContext) -> None:
    """Run one task in isolated workers (a page count goes on to its thumbnails); a passing failure
    comes back through the broker's delay queue. Spans several transactions: the task is leased in
    one, rendered outside any (no lock held for minutes), its outcome recorded in another; the lease
    and the task's status make a duplicate delivery do nothing."""
    await ctx.parts.jobs.run_job(db, event.task_id)


@handlers.on(ScoreDeletedV1)
async def on_score_deleted(session: AsyncSession, event: ScoreDeletedV1, ctx: ProcessorEventContext) -> None:
    """Drop the score's tasks."""
    await ctx.parts.tasks.drop_score(session, event.score_id)


@handlers.on(UserDeletedV1)
async def on_user_deleted(session: AsyncSession, event: UserDeletedV1, ctx: ProcessorEventContext) -> None:
    """Drop every task of the user, and their refresh count."""
    await ctx.parts.tasks.erase_user(session, event.user_id)
