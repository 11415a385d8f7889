"""Isolated PDF work: each job runs in a worker process with a memory limit and a timeout.

PDFium is C++ and the inputs are hostile: a decompression bomb, a hang or a crash must cost
one job, never the service. A worker that overruns its time is killed and replaced; one that
dies (segfault, memory limit) is replaced; the job gets a readable failure either way.

A job that yields (THUMBNAIL) streams each part back as soon as it is ready, so that the parent
stores one image while the worker renders the next; the timeout covers the whole job.
"""

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import resource
import time
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from scoremate_processor.pdf import PdfRejected, read_info, render_thumbnails

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[..., Any]] = {"read_info": read_info, "render_thumbnails": render_thumbnails}


class RenderFailed(Exception):
    """The worker died or ran out of time or memory on this file: a permanent failure of the job."""


def _send_parts(conn: Connection, job_id: int, parts: Generator[Any, None, Any]) -> Any:
    """Send what the job yields as it comes; returns what the job returns."""
    while True:
        try:
            part = next(parts)
        except StopIteration as finished:
            return finished.value
        conn.send((job_id, "part", part))


def _serve(conn: Connection, memory_limit_bytes: int) -> None:
    """The worker process: run jobs from the pipe until it closes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    while True:
        try:
            job_id, name, args, kwargs = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            result = JOBS[name](*args, **kwargs)
            if isinstance(result, Generator):
                result = _send_parts(conn, job_id, result)
            conn.send((job_id, "ok", result))
        except PdfRejected as exc:
            conn.send((job_id, "rejected", str(exc)))
        except MemoryError:
            conn.send((job_id, "failed", "the PDF needs more memory than allowed to process"))
        except Exception as exc:
            conn.send((job_id, "failed", f"the PDF could not be processed ({exc.__class__.__name__})"))


class IsolatedWorker:
    def __init__(self, memory_limit_mb: int) -> None:
        self._memory_limit = memory_limit_mb * 1024 * 1024
        # spawn, not fork: the parent runs an event loop and threads that a fork would copy.
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._jobs = itertools.count(1)

    def _ensure_started(self) -> Connection:
        if self._process is None or not self._process.is_alive() or self._conn is None:
            self.close()
            parent, child = self._context.Pipe()
            process = self._context.Process(
                target=_serve, args=(child, self._memory_limit), daemon=True, name="pdf-worker"
            )
            process.start()
            child.close()
            self._process, self._conn = process, parent
        return self._conn

    def close(self) -> None:
        # The process first: its end of the pipe closes, so a thread still polling ours wakes up.
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(timeout=5)
            self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def run(
        self,
        name: str,
        *args: Any,
        timeout: float,  # noqa: ASYNC109
        on_part: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The job's result; each part a streaming job yields goes to `on_part` as it arrives."""
        conn = self._ensure_started()
        job_id = next(self._jobs)
        conn.send((job_id, name, args, kwargs))
        deadline = time.monotonic() + timeout
        while True:
            status, payload = await self._answer(conn, job_id, name, deadline, timeout)
            if status != "part":
                break
            try:
                if on_part is None:
                    raise RenderFailed(f"{name} streams its result, but the caller takes no parts")
                on_part(payload)
            except BaseException:
                self.close()  # the rest of this job's parts would reach the next job
                raise
        if status == "ok":
            return payload
        if status == "rejected":
            raise PdfRejected(payload)
        raise RenderFailed(payload)

    async def _answer(
        self, conn: Connection, job_id: int, name: str, deadline: float, allowed_seconds: float
    ) -> tuple[str, Any]:
        """The worker's next message about this job, within the job's deadline."""
        try:
            # Parts of a streaming job often wait already: no thread hop for those.
            ready = conn.poll(0) or await asyncio.to_thread(conn.poll, max(deadline - time.monotonic(), 0))
        except BaseException:
            # Cancelled while the worker still works: its answer would reach the next job.
            self.close()
            raise
        if not ready:
            log.warning("pdf worker overran %.0fs on %s; replacing it", allowed_seconds, name)
            self.close()
            raise RenderFailed(f"processing the PDF took longer than {allowed_seconds:.0f} s")
        try:
            answered, status, payload = conn.recv()
        except (EOFError, OSError) as exc:
            code = self._process.exitcode if self._process else None
            log.warning("pdf worker died (exit code %s) on %s; replacing it", code, name)
            self.close()
            raise RenderFailed("the PDF could not be processed within the worker's limits") from exc
        if answered != job_id:
            self.close()
            raise RenderFailed("the PDF worker answered another job; it was replaced")
        return status, payload


class WorkerPool:
    """A few isolated workers; a job waits for a free one."""

    def __init__(self, size: int, memory_limit_mb: int) -> None:
        self._workers = [IsolatedWorker(memory_limit_mb) for _ in range(size)]
        self._idle: asyncio.Queue[IsolatedWorker] = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    async def run(
        self,
        name: str,
        *args: Any,
        timeout: float,  # noqa: ASYNC109
        on_part: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        worker = await self._idle.get()
        try:
            return await worker.run(name, *args, timeout=timeout, on_part=on_part, **kwargs)
        finally:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(Exception):
                worker.close()
