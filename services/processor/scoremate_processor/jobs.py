"""Running one job message: lease its task, do the work in the isolated workers, record the outcome.

A job spans several transactions because its work (a download, minutes of rendering, uploads)
must hold no transaction or row lock open: the task is leased and committed first, the work runs
outside any transaction, and the outcome (or the retry, or the failure) is recorded in one more.
The lease and the task's status keep it idempotent: a duplicate delivery of a finished job does
nothing, a redelivery after a crash takes over the abandoned attempt.
"""

import asyncio
import logging
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.isolation import RenderFailed, WorkerPool
from scoremate_processor.models import ACTIVE_STATUSES, FINISHED_STATUSES, Task, TaskKind, TaskStatus
from scoremate_processor.pdf import PdfInfo, PdfRejected, ThumbnailsRendered
from scoremate_processor.service import PRODUCER, TaskService
from scoremate_processor.settings import ProcessorSettings
from scoremate_processor.thumbnail_uploads import ThumbnailUploads
from scoremate_shared.db import Database
from scoremate_shared.events import (
    PagesCountedV1,
    ProcessingFailedV1,
    ThumbnailsGeneratedV1,
    ThumbnailsProgressedV1,
)
from scoremate_shared.events.contracts import PdfMetadata
from scoremate_shared.messaging.broker import RetryLater, current_delivery
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.storage import ObjectStorage, score_prefix
from scoremate_shared.telemetry import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One leased attempt at a task."""

    task_id: uuid.UUID
    kind: TaskKind
    score_id: uuid.UUID
    user_id: uuid.UUID
    object_key: str
    attempt: int


@dataclass(frozen=True)
class ThumbnailsStored:
    """What a THUMBNAIL job stored (kept as the task's result, keys as they are)."""

    cover_key: str
    page_keys: list[str]
    bytes_total: int
    pages_total: int
    pages_failed: list[int]


@dataclass(frozen=True)
class LayoutStored:
    """What a LAYOUT_HOOK job stored (kept as the task's result)."""

    layout_key: str
    entries: int


# PDF_INFO's outcome is the worker's PdfInfo itself.
JobOutcome: TypeAlias = PdfInfo | ThumbnailsStored | LayoutStored


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


class JobRunner:
    def __init__(
        self, settings: ProcessorSettings, storage: ObjectStorage, pool: WorkerPool, tasks: TaskService
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.pool = pool
        self.tasks = tasks
        # Leases name their process: an attempt of ours that died with its transaction (say, the
        # database restarted under it) is recognised as abandoned and taken over at once.
        self.instance_id = uuid.uuid4().hex
        self._running: set[uuid.UUID] = set()

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
        """Lease the task for an attempt (committed before the work starts); None when there is
        nothing to run."""
        async with db.transaction() as session:
            task = await session.get(Task, task_id, with_for_update=True)
            if task is None or task.status in FINISHED_STATUSES:
                return None  # deleted, or a duplicate delivery of a finished job
            now = datetime.now(UTC)
            delivery = current_delivery.get()
            redelivered = delivery is not None and delivery.redelivered
            ours_abandoned = task.lease_owner == self.instance_id and task_id not in self._running
            running = task.status == TaskStatus.RUNNING
            leased = running and task.lease_until is not None and task.lease_until > now
            if leased and not redelivered and not ours_abandoned:
                assert task.lease_until is not None
                wait = min((task.lease_until - now).total_seconds() + 1, 30.0)
                raise RetryLater(wait, f"task {task_id} is running elsewhere until {task.lease_until}")
            if running:
                # Redelivered by the broker (its consumer died) or past its lease: abandoned.
                task.note("the previous attempt was abandoned (its process stopped); taking over")
            task.status = TaskStatus.RUNNING
            task.try_count += 1
            task.lease_until = now + timedelta(seconds=self.settings.job_timeout_seconds * 2 + 30)
            task.lease_owner = self.instance_id
            task.note(f"attempt {task.try_count} started")
            return Job(
                task_id=task.id,
                kind=TaskKind(task.kind),
                score_id=task.score_id,
                user_id=task.user_id,
                object_key=task.object_key,
                attempt=task.try_count,
            )

    async def _unfinished_follow_up(self, db: Database, task_id: uuid.UUID) -> uuid.UUID | None:
        """After a page count that is already done (a redelivered job), its thumbnails if they are not."""
        async with db.session() as session:
            task = await session.get(Task, task_id)
            if task is None or task.kind != TaskKind.PDF_INFO or task.status != TaskStatus.SUCCEEDED:
                return None
            follow_up: uuid.UUID | None = await session.scalar(
                sa.select(Task.id).where(
                    Task.score_id == task.score_id,
                    Task.kind == TaskKind.THUMBNAIL,
                    Task.status.in_(ACTIVE_STATUSES),
                )
            )
            return follow_up

    async def _attempt(self, db: Database, job: Job, original: OriginalPdf) -> uuid.UUID | None:
        started = time.monotonic()
        try:
            outcome = await self._perform(db, job, original)
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
            await self._release_for_retry(db, job, reason)
            # The task counts its own tries (job_max_tries): the message only waits, whichever task of
            # the job failed, so a page count and its thumbnails never share one retry budget.
            raise RetryLater(self._retry_delay(job.attempt), f"task {job.task_id} will retry") from exc
        _record_attempt(job, started, AttemptOutcome.SUCCEEDED)
        return await self._finish_succeeded(db, job, outcome)

    async def _release_for_retry(self, db: Database, job: Job, reason: str) -> None:
        async with db.transaction() as session:
            task = await session.get(Task, job.task_id, with_for_update=True)
            if task is not None and task.status == TaskStatus.RUNNING:
                task.status = TaskStatus.PENDING
                task.lease_until = None
                task.note(f"attempt {job.attempt} failed, will retry: {reason}")
        log.warning(
            "task %s (%s) attempt %d failed, will retry: %s", job.task_id, job.kind, job.attempt, reason
        )

    def _retry_delay(self, attempt: int) -> float:
        settings = self.settings
        return min(
            settings.consumer_retry_base_seconds * 2 ** (attempt - 1),
            settings.consumer_retry_max_delay_seconds,
        )

    async def _perform(self, db: Database, job: Job, original: OriginalPdf) -> JobOutcome:
        if job.kind == TaskKind.LAYOUT_HOOK:
            return await self._call_layout_service(job)
        pdf_path = await original.path(job.object_key)
        if job.kind == TaskKind.PDF_INFO:
            info: PdfInfo = await self.pool.run(
                "read_info", pdf_path, timeout=self.settings.job_timeout_seconds
            )
            return info
        return await self._render_thumbnails(db, job, pdf_path)

    async def _render_thumbnails(self, db: Database, job: Job, pdf_path: Path) -> ThumbnailsStored:
        settings = self.settings

        async def report(pages_done: int, pages_total: int) -> None:
            async with db.transaction() as session:
                await add_event(
                    session,
                    ThumbnailsProgressedV1(
                        score_id=job.score_id,
                        user_id=job.user_id,
                        pages_done=pages_done,
                        pages_total=pages_total,
                    ),
                    PRODUCER,
                )

        async with ThumbnailUploads(self.storage, job.user_id, job.score_id) as uploads:
            every = settings.thumbnail_progress_seconds
            progress = asyncio.create_task(uploads.report_progress(every, report))
            try:
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
            finally:
                progress.cancel()
                await asyncio.gather(progress, return_exceptions=True)
        if uploads.cover_key is None:  # a worker always sends the cover first, or fails
            raise RenderFailed("the worker sent no cover")
        return ThumbnailsStored(
            cover_key=uploads.cover_key,
            page_keys=uploads.page_keys,
            bytes_total=uploads.bytes_total,
            pages_total=rendered.pages_total,
            pages_failed=rendered.pages_failed,
        )

    async def _call_layout_service(self, job: Job) -> LayoutStored:
        url = self.settings.layout_service_url
        if not url:
            raise PdfRejected("no layout service is configured")
        pdf_url, _ = self.storage.presign_get(job.object_key, 120)
        async with httpx.AsyncClient(timeout=self.settings.layout_timeout_seconds) as client:
            response = await client.post(url, json={"score_id": str(job.score_id), "pdf_url": pdf_url})
            response.raise_for_status()
            layout = response.json()
        key = f"{score_prefix(job.user_id, job.score_id)}layout.json"
        await self.storage.s3.put_object(
            Bucket=self.storage.bucket, Key=key, Body=response.content, ContentType="application/json"
        )
        return LayoutStored(layout_key=key, entries=len(layout) if isinstance(layout, list | dict) else 0)

    async def _finish_failed(self, db: Database, task_id: uuid.UUID, reason: str) -> None:
        async with db.transaction() as session:
            task = await session.get(Task, task_id, with_for_update=True)
            if task is None or task.status != TaskStatus.RUNNING:
                return
            task.status = TaskStatus.FAILED
            task.lease_until = None
            task.note(f"failed: {reason}")
            # Layout analysis is an extra: its failure stays on its task, the score stays ready.
            if task.kind != TaskKind.LAYOUT_HOOK:
                await add_event(
                    session,
                    ProcessingFailedV1(
                        score_id=task.score_id, user_id=task.user_id, kind=task.kind, reason=reason
                    ),
                    PRODUCER,
                )

    async def _finish_succeeded(self, db: Database, job: Job, outcome: JobOutcome) -> uuid.UUID | None:
        """Record the outcome and publish it; returns the task this job runs next, if any."""
        async with db.transaction() as session:
            task = await session.get(Task, job.task_id, with_for_update=True)
            if task is None or task.status != TaskStatus.RUNNING:
                return None  # deleted meanwhile, or finished by an instance that took over
            task.status = TaskStatus.SUCCEEDED
            task.lease_until = None
            match outcome:
                case PdfInfo():
                    return await self._pages_counted(session, job, task, outcome)
                case ThumbnailsStored():
                    await self._thumbnails_stored(session, job, task, outcome)
                case LayoutStored():
                    task.result = asdict(outcome)
                    task.note(f"layout stored at {outcome.layout_key}")
        return None

    async def _pages_counted(
        self, session: AsyncSession, job: Job, task: Task, info: PdfInfo
    ) -> uuid.UUID | None:
        """Publish the page count and make the score's thumbnail task PENDING; returns it when this
        job is to carry it (one that is RUNNING belongs to another job)."""
        task.result = {"pages": info.pages, "metadata": info.metadata}
        task.note(f"read {info.pages} pages")
        await add_event(
            session,
            PagesCountedV1(
                score_id=job.score_id,
                user_id=job.user_id,
                pages=info.pages,
                page_sizes=info.page_sizes,
                pdf_metadata=PdfMetadata(**info.metadata),
            ),
            PRODUCER,
        )
        thumbnail = await self.tasks.ensure_task(
            session,
            score_id=job.score_id,
            user_id=job.user_id,
            kind=TaskKind.THUMBNAIL,
            object_key=job.object_key,
            request=False,
        )
        await self.tasks.rerun(session, thumbnail, "page count read again", request=False)
        return thumbnail.id if thumbnail.status == TaskStatus.PENDING else None

    async def _thumbnails_stored(
        self, session: AsyncSession, job: Job, task: Task, stored: ThumbnailsStored
    ) -> None:
        task.result = asdict(stored)
        task.note(f"rendered the cover and {len(stored.page_keys)} of {stored.pages_total} pages")
        if stored.pages_failed:
            task.note(f"pages that could not be rendered: {stored.pages_failed[:50]}")
        await add_event(
            session,
            ThumbnailsGeneratedV1(
                score_id=job.score_id,
                user_id=job.user_id,
                cover_key=stored.cover_key,
                page_keys=stored.page_keys,
                bytes_total=stored.bytes_total,
            ),
            PRODUCER,
        )
