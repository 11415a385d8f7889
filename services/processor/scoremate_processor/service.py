"""Processor decisions: tasks, the jobs they run, their outcomes and retries."""

import asyncio
import logging
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.isolation import RenderFailed, WorkerPool
from scoremate_processor.models import Task
from scoremate_processor.pdf import PdfInfo, PdfRejected, Thumbnails
from scoremate_processor.schemas import ProcessorJobRequestedV1, TaskKind, TaskOut
from scoremate_processor.settings import ProcessorSettings
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
from scoremate_shared.storage import ObjectStorage, cover_key, page_thumbnail_key, score_prefix

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
    ) -> Task:
        """The task of (score, kind), created PENDING and requested if it did not exist."""
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

    async def rerun(self, session: AsyncSession, task: Task, why: str) -> Task:
        """Run a finished task again; one already pending or running is returned as it is."""
        if task.status in ACTIVE:
            return task
        task.status = "PENDING"
        task.try_count = 0
        task.lease_until = None
        _note(task, why)
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
        async with db.session() as session:
            task = await session.get(Task, task_id, with_for_update=True)
            if task is None or task.status in ("SUCCEEDED", "FAILED"):
                return  # deleted, or a duplicate delivery of a finished job
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
            job = (task.id, task.kind, task.score_id, task.user_id, task.object_key, task.try_count)

        task_id, kind, score_id, user_id, object_key, attempt = job
        self._running.add(task_id)
        try:
            await self._attempt(db, task_id, kind, score_id, user_id, object_key, attempt)
        finally:
            self._running.discard(task_id)

    async def _attempt(
        self,
        db: Database,
        task_id: uuid.UUID,
        kind: str,
        score_id: uuid.UUID,
        user_id: uuid.UUID,
        object_key: str,
        attempt: int,
    ) -> None:
        try:
            outcome = await self._perform(kind, score_id, user_id, object_key)
        except (PdfRejected, RenderFailed) as exc:
            await self._finish_failed(db, task_id, str(exc))
            return
        except Exception as exc:
            reason = f"{exc.__class__.__name__}: {exc}"[:500]
            if attempt >= self.settings.job_max_tries:
                await self._finish_failed(db, task_id, f"gave up after {attempt} tries ({reason})")
                return
            async with db.session() as session:
                task = await session.get(Task, task_id, with_for_update=True)
                if task is not None and task.status == "RUNNING":
                    task.status = "PENDING"
                    task.lease_until = None
                    _note(task, f"attempt {attempt} failed, will retry: {reason}")
                    await session.commit()
            raise
        await self._finish_succeeded(db, task_id, kind, score_id, user_id, object_key, outcome)

    async def _perform(self, kind: str, score_id: uuid.UUID, user_id: uuid.UUID, object_key: str) -> Any:
        if kind == "layout_hook":
            return await self._call_layout_service(score_id, user_id, object_key)
        with tempfile.TemporaryDirectory(prefix="scoremate-job-") as workdir:
            pdf_path = Path(workdir) / "original.pdf"
            await self._download(object_key, pdf_path)
            timeout = self.settings.job_timeout_seconds
            if kind == "pdf_info":
                info: PdfInfo = await self.pool.run("read_info", pdf_path, timeout=timeout)
                return info
            settings = self.settings
            thumbs: Thumbnails = await self.pool.run(
                "render_thumbnails",
                pdf_path,
                Path(workdir),
                timeout=timeout,
                cover_width_px=settings.cover_width_px,
                page_width_px=settings.page_thumb_width_px,
                max_height_factor=settings.max_thumb_height_factor,
                max_pages=settings.max_pages_thumbnailed,
                quality=settings.jpeg_quality,
            )
            return await self._upload_thumbnails(user_id, score_id, thumbs)

    async def _download(self, key: str, target: Path) -> None:
        response = await self.storage.s3.get_object(Bucket=self.storage.bucket, Key=key)
        body = response["Body"]
        try:
            with target.open("wb") as handle:
                async for chunk in body.iter_chunks(1024 * 1024):
                    handle.write(chunk)
        finally:
            body.close()

    async def _upload_thumbnails(
        self, user_id: uuid.UUID, score_id: uuid.UUID, thumbs: Thumbnails
    ) -> dict[str, Any]:
        uploads = [(cover_key(user_id, score_id), thumbs.cover)]
        for path in thumbs.pages:
            page = int(path.stem.rsplit("-", 1)[1])
            uploads.append((page_thumbnail_key(user_id, score_id, page), path))
        limit = asyncio.Semaphore(8)

        async def put(key: str, path: Path) -> int:
            data = await asyncio.to_thread(path.read_bytes)
            async with limit:
                await self.storage.s3.put_object(
                    Bucket=self.storage.bucket, Key=key, Body=data, ContentType="image/jpeg"
                )
            return len(data)

        sizes = await asyncio.gather(*(put(key, path) for key, path in uploads))
        return {
            "cover_key": uploads[0][0],
            "page_keys": [key for key, _ in uploads[1:]],
            "bytes_total": sum(sizes),
            "pages_total": thumbs.pages_total,
            "pages_failed": thumbs.pages_failed,
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

    async def _finish_succeeded(
        self,
        db: Database,
        task_id: uuid.UUID,
        kind: str,
        score_id: uuid.UUID,
        user_id: uuid.UUID,
        object_key: str,
        outcome: Any,
    ) -> None:
        async with db.session() as session:
            task = await session.get(Task, task_id, with_for_update=True)
            if task is None or task.status != "RUNNING":
                return  # deleted meanwhile, or finished by an instance that took over
            task.status = "SUCCEEDED"
            task.lease_until = None
            if isinstance(outcome, PdfInfo):
                task.result = {"pages": outcome.pages, "metadata": outcome.metadata}
                _note(task, f"read {outcome.pages} pages")
                await add_event(
                    session,
                    PagesCountedV1(
                        score_id=score_id,
                        user_id=user_id,
                        pages=outcome.pages,
                        page_sizes=outcome.page_sizes,
                        pdf_metadata=PdfMetadata(**outcome.metadata),
                    ),
                    PRODUCER,
                )
                thumbnail = await self.ensure_task(
                    session, score_id=score_id, user_id=user_id, kind="thumbnail", object_key=object_key
                )
                if thumbnail.status in ("SUCCEEDED", "FAILED"):
                    await self.rerun(session, thumbnail, "page count read again")
            elif kind == "thumbnail":
                task.result = outcome
                rendered = len(outcome["page_keys"])
                _note(task, f"rendered the cover and {rendered} of {outcome['pages_total']} pages")
                if outcome["pages_failed"]:
                    _note(task, f"pages that could not be rendered: {outcome['pages_failed'][:50]}")
                await add_event(
                    session,
                    ThumbnailsGeneratedV1(
                        score_id=score_id,
                        user_id=user_id,
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
