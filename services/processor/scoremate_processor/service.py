"""Processor decisions about tasks: creating and requesting them, the tasks API (the caller's and
the admin's) and the per-user refresh limit. Running a task's job is jobs.py's."""

import math
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.models import ACTIVE_STATUSES, Task, TaskKind, TaskStatus, ThumbnailRefreshes
from scoremate_processor.schemas import ProcessorJobRequestedV1, TaskOut
from scoremate_processor.settings import ProcessorSettings
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import Principal
from scoremate_shared.errors import Conflict, NotFound, ServiceUnavailable, TooManyRequests
from scoremate_shared.events import ScoreUploadedV1
from scoremate_shared.idempotency import forget_user_keys
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page, paginate

PRODUCER = "processor"
# The span `refresh_thumbnails_per_hour` counts calls in.
REFRESH_WINDOW = timedelta(hours=1)


class TaskNotFound(NotFound):
    slug, title = "task-not-found", "Task not found"


class TaskNotFailed(Conflict):
    slug, title = "task-not-failed", "Only a failed task can be retried"


class LayoutServiceNotConfigured(ServiceUnavailable):
    slug, title = "layout-service-not-configured", "No layout service is configured"


class ThumbnailRefreshLimited(TooManyRequests):
    slug, title = "refresh-limit-reached", "Too many thumbnail refreshes"

    def __init__(self, limit: int, retry_after_seconds: int) -> None:
        super().__init__(
            f"Thumbnails can be refreshed {limit} times an hour; try again in {retry_after_seconds} s",
            headers={"Retry-After": str(retry_after_seconds)},
            retry_after=retry_after_seconds,
        )


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        score_id=task.score_id,
        kind=TaskKind(task.kind),
        status=TaskStatus(task.status),
        try_count=task.try_count,
        log=list(task.log or []),
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


# Quoted: Page[Task] at runtime would make pydantic build a schema of an ORM class.
def _task_page(found: "Page[Task]") -> Page[TaskOut]:
    items = [task_out(task) for task in found.items]
    return Page(items=items, page=found.page, page_size=found.page_size, total=found.total)


class TaskService:
    def __init__(self, settings: ProcessorSettings) -> None:
        self.settings = settings

    # --- creating and requesting tasks -------------------------------------------------------

    async def ensure_task(
        self,
        session: AsyncSession,
        *,
        score_id: uuid.UUID,
        user_id: uuid.UUID,
        kind: TaskKind,
        object_key: str,
        request: bool = True,
    ) -> Task:
        """The task of (score, kind), created PENDING if it did not exist, and then requested (a job
        message) unless the caller runs it itself."""
        created = await session.scalar(
            insert(Task)
            .values(
                id=uuid.uuid4(),
                score_id=score_id,
                user_id=user_id,
                kind=kind,
                status=TaskStatus.PENDING,
                try_count=0,
                log=[],
                object_key=object_key,
            )
            .on_conflict_do_nothing(constraint="uq_tasks_score_kind")
            .returning(Task.id)
        )
        task = await session.scalar(
            sa.select(Task).where(Task.score_id == score_id, Task.kind == kind).with_for_update()
        )
        assert task is not None
        if created is not None:
            task.note("requested")
            if request:
                await self._request(session, task)
        return task

    async def _request(self, session: AsyncSession, task: Task) -> None:
        await add_event(
            session,
            ProcessorJobRequestedV1(
                task_id=task.id, score_id=task.score_id, user_id=task.user_id, kind=TaskKind(task.kind)
            ),
            PRODUCER,
        )

    async def rerun(self, session: AsyncSession, task: Task, why: str, *, request: bool = True) -> Task:
        """Run a finished task again (requested unless the caller runs it itself); one already
        pending or running is returned as it is."""
        if task.status in ACTIVE_STATUSES:
            return task
        task.status = TaskStatus.PENDING
        task.try_count = 0
        task.lease_until = None
        task.note(why)
        if request:
            await self._request(session, task)
        return task

    async def on_score_uploaded(self, session: AsyncSession, event: ScoreUploadedV1) -> None:
        await self.ensure_task(
            session,
            score_id=event.score_id,
            user_id=event.user_id,
            kind=TaskKind.PDF_INFO,
            object_key=event.object_key,
        )

    # --- the tasks API ------------------------------------------------------------------------

    async def get_task(self, session: AsyncSession, user: Principal, task_id: uuid.UUID) -> TaskOut:
        task = await session.get(Task, task_id)
        if task is None or task.user_id != user.user_id:
            raise TaskNotFound("No such task")
        return task_out(task)

    async def list_tasks(
        self, session: AsyncSession, user: Principal, score_id: uuid.UUID | None, page: int, page_size: int
    ) -> Page[TaskOut]:
        conditions = [Task.user_id == user.user_id]
        if score_id is not None:
            conditions.append(Task.score_id == score_id)
        statement = sa.select(Task).where(*conditions).order_by(Task.created_at.desc(), Task.id)
        return _task_page(await paginate(session, statement, page, page_size))

    async def _score_tasks(
        self, session: AsyncSession, user: Principal, score_id: uuid.UUID
    ) -> dict[str, Task]:
        tasks = await session.scalars(
            sa.select(Task).where(Task.score_id == score_id, Task.user_id == user.user_id).with_for_update()
        )
        by_kind = {task.kind: task for task in tasks}
        if not by_kind:
            raise NotFound("No such score")
        return by_kind

    async def refresh_thumbnails(
        self, session: AsyncSession, user: Principal, score_id: uuid.UUID
    ) -> TaskOut:
        tasks = await self._score_tasks(session, user, score_id)
        await self._count_refresh(session, user.user_id)
        thumbnail = tasks.get(TaskKind.THUMBNAIL)
        if thumbnail is None:
            # Page count not read yet: the thumbnail task follows it on its own.
            return task_out(tasks[TaskKind.PDF_INFO])
        return task_out(await self.rerun(session, thumbnail, "thumbnails refresh requested"))

    async def _count_refresh(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Count one refresh of the user's, or refuse it (ThumbnailRefreshLimited) when the last hour
        holds as many as the limit. Every accepted call counts, one that finds its task still
        running too. The user's row is locked: calls on several instances count one at a time."""
        await session.execute(
            insert(ThumbnailRefreshes).values(user_id=user_id, requested_at=[]).on_conflict_do_nothing()
        )
        refreshes = await session.get(
            ThumbnailRefreshes, user_id, with_for_update=True, populate_existing=True
        )
        assert refreshes is not None
        now = datetime.now(UTC)
        recent = [at for at in refreshes.requested_at if at > now - REFRESH_WINDOW]
        limit = self.settings.refresh_thumbnails_per_hour
        if len(recent) >= limit:
            wait = min(recent) + REFRESH_WINDOW - now
            raise ThumbnailRefreshLimited(limit, max(1, math.ceil(wait.total_seconds())))
        refreshes.requested_at = [*recent, now]
        await session.flush()  # the next count reads the row again (populate_existing)

    async def run_layout(self, session: AsyncSession, user: Principal, score_id: uuid.UUID) -> TaskOut:
        if not self.settings.layout_service_url:
            raise LayoutServiceNotConfigured("Layout analysis is not available on this server")
        tasks = await self._score_tasks(session, user, score_id)
        existing = tasks.get(TaskKind.LAYOUT_HOOK)
        if existing is not None:
            return task_out(await self.rerun(session, existing, "layout requested again"))
        any_task = next(iter(tasks.values()))
        task = await self.ensure_task(
            session,
            score_id=score_id,
            user_id=user.user_id,
            kind=TaskKind.LAYOUT_HOOK,
            object_key=any_task.object_key,
        )
        return task_out(task)

    # --- the admin's ----------------------------------------------------------------------------

    async def list_all_tasks(
        self, session: AsyncSession, admin: Principal, status: TaskStatus | None, page: int, page_size: int
    ) -> Page[TaskOut]:
        """Every user's tasks, most recently changed first."""
        conditions = [Task.status == status] if status else []
        statement = sa.select(Task).where(*conditions).order_by(Task.updated_at.desc(), Task.id)
        found = _task_page(await paginate(session, statement, page, page_size))
        await record_admin_action(
            session, self.settings.service_name, admin, "list_tasks", status.value if status else "all"
        )
        return found

    async def retry_failed(self, session: AsyncSession, admin: Principal, task_id: uuid.UUID) -> TaskOut:
        task = await session.get(Task, task_id, with_for_update=True)
        if task is None:
            raise TaskNotFound("No such task")
        if task.status != TaskStatus.FAILED:
            raise TaskNotFailed(f"The task is {task.status}")
        await self.rerun(session, task, f"retry requested by admin {admin.user_id}")
        await record_admin_action(session, self.settings.service_name, admin, "retry_task", str(task_id))
        return task_out(task)

    # --- erasure ------------------------------------------------------------------------------

    async def drop_score(self, session: AsyncSession, score_id: uuid.UUID) -> None:
        await session.execute(sa.delete(Task).where(Task.score_id == score_id))

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(sa.delete(Task).where(Task.user_id == user_id))
        await session.execute(sa.delete(ThumbnailRefreshes).where(ThumbnailRefreshes.user_id == user_id))
        await forget_user_keys(session, user_id)
