"""Processor decisions: tasks, the jobs they run, their outcomes and retries."""

import logging
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.isolation import RenderFailed, WorkerPool
from scoremate_processor.models import Task
from scoremate_processor.pdf import PdfInfo, PdfRejected, ThumbnailsRendered
from scoremate_processor.schemas import ProcessorJobRequestedV1, TaskKind, TaskOut
from scoremate_processor.settings import ProcessorSettings
from scoremate_processor.thumbnail_uploads import ThumbnailUploads
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.errors import NotFound, ServiceUnavailable
from scoremate_shared.events import (
    PagesCountedV1,
    ProcessingFailedV1,
    ScoreUploadedV1,
    ThumbnailsGeneratedV1,
)
from scoremate_shared.events.contracts import PdfMetadata
from scoremate_shared.messaging.broker import RetryLater, current_delivery
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page
from scoremate_shared.storage import ObjectStorage, score_prefix
from scoremate_shared.telemetry import metrics

log = logging.getLogger(__name__)
PRODUCER = "processor"
ACTIVE = ("PENDING", "RUNNING")


class TaskNotFound(NotFound):
    slug, title = "task-not-found", "Task not found"


class LayoutServiceNotConfigured(ServiceUnavailable):
    slug, title = "layout-service-not-configured", "No layout service is configured"


def _note(task: Task, message: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    task.log = [*(task.log or []), f"{stamp} {message}"][-200:]
    task.updated_at = datetime.now(UTC)


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        score_id=task.score_id,
        kind=task.kind,
        status=task.status,
        try_count=task.try_count,
        log=list(task.log or []),
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


@dataclass(frozen=True)
class Job:
    """One leased attempt at a task."""

    task_id: uuid.UUID
    kind: str
    score_id: uuid.UUID
    user_id: uuid.UUID
    object_key: str
    attempt: int


class AttemptOutcome(StrEnum):
    """The `outcome` label of scoremate_job_duration_seconds (the job failures alert reads it)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRIED = "retried"


def _record_attempt(job: Job, started: float, outcome: AttemptOutcome) -> None:
    elapsed = time.monotonic() - started
    metrics.job_duration_seconds.labels(kind=job.kind, outcome=outcome).observe(elapsed)


class OriginalPdf:
    """The score's PDF in a job's folder: downloaded on first use, then read again by the next task."""

    def __init__(self, storage: ObjectStorage, target: Path) -> None:
        self._storage = storage
        self._target = target
        self._key: str | None = None

    async def path(self, key: str) -> Path:
        """The local copy of the object `key`, downloaded the first time it is asked for."""
        if self._key != key:
            await self._storage.download(key, self._target)
            self._key = key
        return self._target


class ProcessorService:
    def __init__(self, settings: ProcessorSettings, storage: ObjectStorage, pool: WorkerPool) -> None:
        self.settings = settings
        self.storage = storage
        self.pool = pool
        # Leases name their process: an attempt of ours that died with its transaction (say, the
        # database restarted under it) is recognised as abandoned and taken over at once.
        self.instance_id = uuid.uuid4().hex
        self._running: set[uuid.UUID] = set()

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
                status="PENDING",
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
            _note(task, "requested")
            if request:
                await self._request(session, task)
        return task

    async def _request(self, session: AsyncSession, task: Task) -> None:
        await add_event(
            session,
            ProcessorJobRequestedV1(
                task_id=task.id, score_id=task.score_id, user_id=task.user_id, kind=task.kind
            ),
            PRODUCER,
        )

    async def rerun(self, session: AsyncSession, task: Task, why: str, *, request: bool = True) -> Task:
        """Run a finished task again (requested unless the caller runs it itself); one already
        pending or running is returned as it is."""
        if task.status in ACTIVE:
            return task
        task.status = "PENDING"
        task.try_count = 0
        task.lease_until = None
        _note(task, why)
        if request:
            await self._request(session, task)
        return task

    async def on_score_uploaded(self, session: AsyncSession, event: ScoreUploadedV1) -> None:
        await self.ensure_task(
            session,
            score_id=event.score_id,
            user_id=event.user_id,
            kind="pdf_info",
            object_key=event.object_key,
        )

    # --- running one job ----------------------------------------------------------------------

    async def run_job(self, db: Database, task_id: uuid.UUID) -> None:
        """Run the task. A page count goes straight on to the thumbnails, on the same downloaded file
        and without a round trip through the broker: this job's message carries both until both are
        done, so a redelivery after a crash takes over whichever was left."""
        with tempfile.TemporaryDirectory(prefix="scoremate-job-") as workdir:
            original = OriginalPdf(self.storage, Path(workdir) / "original.pdf")
            next_task: uuid.UUID | None = task_id
            while next_task is not None:
                next_task = await self._run_task(db, next_task, original)

    async def _run_task(self, db: Database, task_id: uuid.UUID, original: OriginalPdf) -> uuid.UUID | None:
        """Run one task; returns the task that follows it in this job (thumbnails after the page count)."""
        job = await self._start(db, task_id)
        if job is None:
            return await self._unfinished_follow_up(db, task_id)
        self._running.add(job.task_id)
        try:
            return await self._attempt(db, job, original)
        finally:
            self._running.discard(job.task_id)

    async def _start(self, db: Database, task_id: uuid.UUID) -> Job | None:
        """Lease the task for an attempt; None when there is nothing to run."""
        async with db.session() as session:
            task = await session.get(Task, task_id, with_for_update=True)
            if task is None or task.status in ("SUCCEEDED", "FAILED"):
                return None  # deleted, or a duplicate delivery of a finished job
            now = datetime.now(UTC)
            delivery = current_delivery.get()
            redelivered = delivery is not None and delivery.redelivered
            ours_abandoned = task.lease_owner == self.instance_id and task_id not in self._running
            leased = task.status == "RUNNING" and task.lease_until is not None and task.lease_until > now
            if leased and not redelivered and not ours_abandoned:
                assert task.lease_until is not None
                wait = min((task.lease_until - now).total_seconds() + 1, 30.0)
                raise RetryLater(wait, f"task {task_id} is running elsewhere until {task.lease_until}")
            if task.status == "RUNNING":
                # Redelivered by the broker (its consumer died) or past its lease: abandoned.
                _note(task, "the previous attempt was abandoned (its process stopped); taking over")
            task.status = "RUNNING"
            task.try_count += 1
            task.lease_until = now + timedelta(seconds=self.settings.job_timeout_seconds * 2 + 30)
            task.lease_owner = self.instance_id
            _note(task, f"attempt {task.try_count} started")
            await session.commit()
            return Job(task.id, task.kind, task.score_id, task.user_id, task.object_key, task.try_count)

    async def _unfinished_follow_up(self, db: Database, task_id: uuid.UUID) -> uuid.UUID | None:
        """After a page count that is already done (a redelivered job), its thumbnails if they are not."""
        async with db.session() as session:
            task = await session.get(Task, task_id)
            if task is None or task.kind != "pdf_info" or task.status != "SUCCEEDED":
                return None
            follow_up: uuid.UUID | None = await session.scalar(
                sa.select(Task.id).where(
                    Task.score_id == task.score_id, Task.kind == "thumbnail", Task.status.in_(ACTIVE)
                )
            )
            return follow_up

    async def _attempt(self, db: Database, job: Job, original: OriginalPdf) -> uuid.UUID | None:
        started = time.monotonic()
        try:
            outcome = await self._perform(job, original)
        except (PdfRejected, RenderFailed) as exc:
            _record_attempt(job, started, AttemptOutcome.FAILED)
            await self._finish_failed(db, job.task_id, str(exc))
            return None
        except Exception as exc:
            reason = f"{exc.__class__.__name__}: {exc}"[:500]
            if job.attempt >= self.settings.job_max_tries:
                _record_attempt(job, started, AttemptOutcome.FAILED)
                await self._finish_failed(db, job.task_id, f"gave up after {job.attempt} tries ({reason})")
                return None
            _record_attempt(job, started, AttemptOutcome.RETRIED)
            async with db.session() as session:
                task = await session.get(Task, job.task_id, with_for_update=True)
                if task is not None and task.status == "RUNNING":
                    task.status = "PENDING"
                    task.lease_until = None
                    _note(task, f"attempt {job.attempt} failed, will retry: {reason}")
                    await session.commit()
            log.warning(
                "task %s (%s) attempt %d failed, will retry: %s", job.task_id, job.kind, job.attempt, reason
            )
            # The task counts its own tries (job_max_tries): the message only waits, whichever task of
            # the job failed, so a page count and its thumbnails never share one retry budget.
            raise RetryLater(self._retry_delay(job.attempt), f"task {job.task_id} will retry") from exc
        _record_attempt(job, started, AttemptOutcome.SUCCEEDED)
        return await self._finish_succeeded(db, job, outcome)

    def _retry_delay(self, attempt: int) -> float:
        settings = self.settings
        return min(
            settings.consumer_retry_base_seconds * 2 ** (attempt - 1),
            settings.consumer_retry_max_delay_seconds,
        )

    async def _perform(self, job: Job, original: OriginalPdf) -> Any:
        if job.kind == "layout_hook":
            return await self._call_layout_service(job.score_id, job.user_id, job.object_key)
        pdf_path = await original.path(job.object_key)
        if job.kind == "pdf_info":
            info: PdfInfo = await self.pool.run(
                "read_info", pdf_path, timeout=self.settings.job_timeout_seconds
            )
            return info
        return await self._render_thumbnails(job, pdf_path)

    async def _render_thumbnails(self, job: Job, pdf_path: Path) -> dict[str, Any]:
        settings = self.settings
        async with ThumbnailUploads(self.storage, job.user_id, job.score_id) as uploads:
            rendered: ThumbnailsRendered = await self.pool.run(
                "render_thumbnails",
                pdf_path,
                timeout=settings.job_timeout_seconds,
                on_part=uploads.add,
                cover_width_px=settings.cover_width_px,
                page_width_px=settings.page_thumb_width_px,
                max_height_factor=settings.max_thumb_height_factor,
                max_pages=settings.max_pages_thumbnailed,
                quality=settings.jpeg_quality,
            )
        return {
            "cover_key": uploads.cover_key,
            "page_keys": uploads.page_keys,
            "bytes_total": uploads.bytes_total,
            "pages_total": rendered.pages_total,
            "pages_failed": rendered.pages_failed,
        }

    async def _call_layout_service(
        self, score_id: uuid.UUID, user_id: uuid.UUID, object_key: str
    ) -> dict[str, Any]:
        url = self.settings.layout_service_url
        if not url:
            raise PdfRejected("no layout service is configured")
        pdf_url, _ = self.storage.presign_get(object_key, 120)
        async with httpx.AsyncClient(timeout=self.settings.layout_timeout_seconds) as client:
            response = await client.post(url, json={"score_id": str(score_id), "pdf_url": pdf_url})
            response.raise_for_status()
            layout = response.json()
        key = f"{score_prefix(user_id, score_id)}layout.json"
        await self.storage.s3.put_object(
            Bucket=self.storage.bucket, Key=key, Body=response.content, ContentType="application/json"
        )
        return {"layout_key": key, "entries": len(layout) if isinstance(layout, list | dict) else 0}

    async def _finish_failed(self, db: Database, task_id: uuid.UUID, reason: str) -> None:
        async with db.session() as session:
            task = await session.get(Task, task_id, with_for_update=True)
            if task is None or task.status != "RUNNING":
                return
            task.status = "FAILED"
            task.lease_until = None
            _note(task, f"failed: {reason}")
            # Layout analysis is an extra: its failure stays on its task, the score stays ready.
            if task.kind != "layout_hook":
                await add_event(
                    session,
                    ProcessingFailedV1(
                        score_id=task.score_id, user_id=task.user_id, kind=task.kind, reason=reason
                    ),
                    PRODUCER,
                )
            await session.commit()

    async def _finish_succeeded(self, db: Database, job: Job, outcome: Any) -> uuid.UUID | None:
        """Record the outcome and publish it; returns the task this job runs next, if any."""
        follow_up: uuid.UUID | None = None
        async with db.session() as session:
            task = await session.get(Task, job.task_id, with_for_update=True)
            if task is None or task.status != "RUNNING":
                return None  # deleted meanwhile, or finished by an instance that took over
            task.status = "SUCCEEDED"
            task.lease_until = None
            if isinstance(outcome, PdfInfo):
                task.result = {"pages": outcome.pages, "metadata": outcome.metadata}
                _note(task, f"read {outcome.pages} pages")
                await add_event(
                    session,
                    PagesCountedV1(
                        score_id=job.score_id,
                        user_id=job.user_id,
                        pages=outcome.pages,
                        page_sizes=outcome.page_sizes,
                        pdf_metadata=PdfMetadata(**outcome.metadata),
                    ),
                    PRODUCER,
                )
                thumbnail = await self.ensure_task(
                    session,
                    score_id=job.score_id,
                    user_id=job.user_id,
                    kind="thumbnail",
                    object_key=job.object_key,
                    request=False,
                )
                await self.rerun(session, thumbnail, "page count read again", request=False)
                # One that is RUNNING belongs to another job, which carries it.
                follow_up = thumbnail.id if thumbnail.status == "PENDING" else None
            elif job.kind == "thumbnail":
                task.result = outcome
                rendered = len(outcome["page_keys"])
                _note(task, f"rendered the cover and {rendered} of {outcome['pages_total']} pages")
                if outcome["pages_failed"]:
                    _note(task, f"pages that could not be rendered: {outcome['pages_failed'][:50]}")
                await add_event(
                    session,
                    ThumbnailsGeneratedV1(
                        score_id=job.score_id,
                        user_id=job.user_id,
                        cover_key=outcome["cover_key"],
                        page_keys=outcome["page_keys"],
                        bytes_total=outcome["bytes_total"],
                    ),
                    PRODUCER,
                )
            else:
                task.result = outcome
                _note(task, f"layout stored at {outcome['layout_key']}")
            await session.commit()
        return follow_up

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
        total = await session.scalar(sa.select(sa.func.count()).select_from(Task).where(*conditions))
        tasks = await session.scalars(
            sa.select(Task)
            .where(*conditions)
            .order_by(Task.created_at.desc(), Task.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return Page(items=[task_out(t) for t in tasks], page=page, page_size=page_size, total=int(total or 0))

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
        thumbnail = tasks.get("thumbnail")
        if thumbnail is None:
            # Page count not read yet: the thumbnail task follows it on its own.
            return task_out(tasks["pdf_info"])
        task = await self.rerun(session, thumbnail, "thumbnails refresh requested")
        await session.commit()
        return task_out(task)

    async def run_layout(self, session: AsyncSession, user: Principal, score_id: uuid.UUID) -> TaskOut:
        if not self.settings.layout_service_url:
            raise LayoutServiceNotConfigured("Layout analysis is not available on this server")
        tasks = await self._score_tasks(session, user, score_id)
        existing = tasks.get("layout_hook")
        if existing is not None:
            task = await self.rerun(session, existing, "layout requested again")
        else:
            any_task = next(iter(tasks.values()))
            task = await self.ensure_task(
                session,
                score_id=score_id,
                user_id=user.user_id,
                kind="layout_hook",
                object_key=any_task.object_key,
            )
        await session.commit()
        return task_out(task)

    async def drop_score(self, session: AsyncSession, score_id: uuid.UUID) -> None:
        await session.execute(sa.delete(Task).where(Task.score_id == score_id))

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(sa.delete(Task).where(Task.user_id == user_id))
