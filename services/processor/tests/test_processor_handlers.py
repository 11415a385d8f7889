"""The processor's event registrations through FastStream's in-memory broker and the real schema:
the registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid

import sqlalchemy as sa

from scoremate_processor.context import ProcessorParts
from scoremate_processor.events import handlers
from scoremate_processor.jobs import JobRunner
from scoremate_processor.models import Task, TaskKind, TaskStatus
from scoremate_processor.schemas import ProcessorJobRequestedV1
from scoremate_processor.service import TaskService
from scoremate_processor.settings import ProcessorSettings
from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, ScoreUploadedV1
from scoremate_shared.messaging.tables import inbox_table, outbox_table
from scoremate_shared.testing import deliver_twice


async def test_an_upload_is_applied_once_in_its_own_committed_transaction(
    processor_db: Database,
    processor_tasks: TaskService,
    processor_jobs: JobRunner,
    processor_settings: ProcessorSettings,
):
    event = ScoreUploadedV1(
        score_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        object_key="k/original.pdf",
        size_bytes=10,
        content_hash="0" * 64,
        mime="application/pdf",
    )
    envelope = EventEnvelope.wrap(event, "files")

    await deliver_twice(
        handlers,
        envelope,
        ScoreUploadedV1.routing_key,
        db=processor_db,
        parts=ProcessorParts(tasks=processor_tasks, jobs=processor_jobs),
        settings=processor_settings,
    )  # the second delivery is a duplicate

    async with processor_db.session() as session:
        tasks = (await session.scalars(sa.select(Task).where(Task.score_id == event.score_id))).all()
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
        requested = await session.scalar(
            sa.select(sa.func.count())
            .select_from(outbox_table)
            .where(
                outbox_table.c.routing_key == ProcessorJobRequestedV1.routing_key,
                outbox_table.c.envelope["data"]["score_id"].astext == str(event.score_id),
            )
        )
    assert [(task.kind, task.status) for task in tasks] == [(TaskKind.PDF_INFO, TaskStatus.PENDING)]
    assert requested == 1
    assert claims == ["processor.score-uploaded"]  # claimed once, under its queue's name
