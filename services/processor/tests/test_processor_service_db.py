"""The processor's task logic and job runner against its migrated schema (the middle tier: no
stack). Task-service tests work in a transaction that is rolled back; the job runner opens its own
transactions, so its tests commit rows of their own (random ids, a throw-away database)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.jobs import JobRunner
from scoremate_processor.models import Task, TaskKind, TaskStatus, ThumbnailRefreshes
from scoremate_processor.schemas import ProcessorJobRequestedV1
from scoremate_processor.service import TaskNotFailed, TaskService, ThumbnailRefreshLimited
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.errors import NotFound
from scoremate_shared.events import ScoreUploadedV1
from scoremate_shared.messaging.broker import RetryLater
from scoremate_shared.messaging.tables import outbox_table


def stored_task(
    user: Principal, kind: TaskKind, status: TaskStatus, score_id: uuid.UUID | None = None
) -> Task:
    return Task(
        id=uuid.uuid4(),
        score_id=score_id or uuid.uuid4(),
        user_id=user.user_id,
        kind=kind,
        status=status,
        try_count=1,
        log=[],
        object_key=f"{user.user_id}/x/original.pdf",
    )


async def job_requests(session: AsyncSession, task_id: uuid.UUID) -> int:
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(outbox_table)
        .where(
            outbox_table.c.routing_key == ProcessorJobRequestedV1.routing_key,
            outbox_table.c.envelope["data"]["task_id"].astext == str(task_id),
        )
    )
    return int(count or 0)


async def test_refreshes_past_the_hourly_limit_are_refused_until_the_oldest_leaves_the_hour(
    session: AsyncSession, processor_tasks: TaskService
):
    user, other = Principal(uuid.uuid4()), Principal(uuid.uuid4())
    score_id = uuid.uuid4()
    thumbnail = stored_task(user, TaskKind.THUMBNAIL, TaskStatus.SUCCEEDED, score_id)
    theirs = stored_task(other, TaskKind.THUMBNAIL, TaskStatus.SUCCEEDED)
    session.add_all([stored_task(user, TaskKind.PDF_INFO, TaskStatus.SUCCEEDED, score_id), thumbnail, theirs])
    await session.flush()

    for _ in range(processor_tasks.settings.refresh_thumbnails_per_hour):
        await processor_tasks.refresh_thumbnails(session, user, score_id)
    with pytest.raises(ThumbnailRefreshLimited) as refused:
        await processor_tasks.refresh_thumbnails(session, user, score_id)
    assert refused.value.status == 429
    assert 3590 <= int(refused.value.headers["Retry-After"]) <= 3600
    # The first call re-ran the task; the second found it pending (it counts all the same).
    assert await job_requests(session, thumbnail.id) == 1
    # Another user's limit is their own; another user's score is 404 and costs nothing.
    assert (await processor_tasks.refresh_thumbnails(session, other, theirs.score_id)).id == theirs.id
    with pytest.raises(NotFound):
        await processor_tasks.refresh_thumbnails(session, user, theirs.score_id)

    refreshes = await session.get(ThumbnailRefreshes, user.user_id)
    assert refreshes is not None
    refreshes.requested_at = [at - timedelta(minutes=61) for at in refreshes.requested_at[:1]] + [
        *refreshes.requested_at[1:]
    ]
    await session.flush()
    assert (await processor_tasks.refresh_thumbnails(session, user, score_id)).id == thumbnail.id


async def test_an_upload_makes_one_task_and_one_job_request_however_often_it_is_told(
    session: AsyncSession, processor_tasks: TaskService
):
    user = Principal(uuid.uuid4())
    event = ScoreUploadedV1(
        score_id=uuid.uuid4(),
        user_id=user.user_id,
        object_key="k/original.pdf",
        size_bytes=10,
        content_hash="0" * 64,
        mime="application/pdf",
    )
    await processor_tasks.on_score_uploaded(session, event)
    await processor_tasks.on_score_uploaded(session, event)
    tasks = (await processor_tasks.list_tasks(session, user, event.score_id, page=1, page_size=20)).items
    assert [(task.kind, task.status) for task in tasks] == [(TaskKind.PDF_INFO, TaskStatus.PENDING)]
    assert await job_requests(session, tasks[0].id) == 1


async def test_only_a_failed_task_is_retried_by_an_admin_and_the_listing_filters_by_status(
    session: AsyncSession, processor_tasks: TaskService
):
    user, admin = Principal(uuid.uuid4()), Principal(uuid.uuid4(), roles=frozenset({"admin"}))
    failed = stored_task(user, TaskKind.PDF_INFO, TaskStatus.FAILED)
    running = stored_task(user, TaskKind.PDF_INFO, TaskStatus.RUNNING)
    session.add_all([failed, running])
    await session.flush()

    listed = await processor_tasks.list_all_tasks(session, admin, TaskStatus.FAILED, page=1, page_size=100)
    assert failed.id in {task.id for task in listed.items}
    assert {task.status for task in listed.items} == {TaskStatus.FAILED}
    with pytest.raises(TaskNotFailed):
        await processor_tasks.retry_failed(session, admin, running.id)
    retried = await processor_tasks.retry_failed(session, admin, failed.id)
    assert (retried.status, retried.try_count) == (TaskStatus.PENDING, 0)
    assert await job_requests(session, failed.id) == 1


async def test_another_users_task_is_not_found(session: AsyncSession, processor_tasks: TaskService):
    owner, stranger = Principal(uuid.uuid4()), Principal(uuid.uuid4())
    task = stored_task(owner, TaskKind.PDF_INFO, TaskStatus.SUCCEEDED)
    session.add(task)
    await session.flush()
    assert (await processor_tasks.get_task(session, owner, task.id)).id == task.id
    with pytest.raises(NotFound):
        await processor_tasks.get_task(session, stranger, task.id)
    assert (await processor_tasks.list_tasks(session, stranger, task.score_id, 1, 20)).total == 0


async def test_a_duplicate_delivery_of_a_finished_job_does_nothing(
    processor_db: Database, processor_jobs: JobRunner
):
    task = stored_task(Principal(uuid.uuid4()), TaskKind.THUMBNAIL, TaskStatus.SUCCEEDED)
    async with processor_db.transaction() as session:
        session.add(task)
    await processor_jobs.run_job(processor_db, task.id)  # nothing to download, render or store
    async with processor_db.session() as session:
        stored = await session.get(Task, task.id)
    assert stored is not None
    assert (stored.status, stored.try_count, stored.log) == (TaskStatus.SUCCEEDED, 1, [])


async def test_a_task_leased_by_another_process_makes_its_job_wait(
    processor_db: Database, processor_jobs: JobRunner
):
    task = stored_task(Principal(uuid.uuid4()), TaskKind.THUMBNAIL, TaskStatus.RUNNING)
    task.lease_owner = "another-process"
    task.lease_until = datetime.now(UTC) + timedelta(minutes=5)
    async with processor_db.transaction() as session:
        session.add(task)
    with pytest.raises(RetryLater) as waiting:
        await processor_jobs.run_job(processor_db, task.id)
    assert 1 <= waiting.value.seconds <= 30
    async with processor_db.session() as session:
        stored = await session.get(Task, task.id)
    assert stored is not None
    assert (stored.status, stored.try_count, stored.lease_owner) == (TaskStatus.RUNNING, 1, "another-process")


async def test_erasing_a_user_drops_their_tasks_and_their_refresh_count(
    session: AsyncSession, processor_tasks: TaskService
):
    user, other = Principal(uuid.uuid4()), Principal(uuid.uuid4())
    mine = stored_task(user, TaskKind.THUMBNAIL, TaskStatus.SUCCEEDED)
    theirs = stored_task(other, TaskKind.THUMBNAIL, TaskStatus.SUCCEEDED)
    session.add_all([mine, theirs])
    await session.flush()
    await processor_tasks.refresh_thumbnails(session, user, mine.score_id)

    await processor_tasks.erase_user(session, user.user_id)
    assert (await processor_tasks.list_tasks(session, user, None, 1, 20)).total == 0
    assert (
        await session.scalar(sa.select(ThumbnailRefreshes).where(ThumbnailRefreshes.user_id == user.user_id))
        is None
    )
    assert (await processor_tasks.list_tasks(session, other, None, 1, 20)).total == 1
