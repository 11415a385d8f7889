"""Isolated PDF work: each job runs in a worker process with a memory limit and a timeout.

PDFium is C++ and the inputs are hostile: a decompression bomb, a hang or a crash must cost
one job, never the service. A worker that overruns its time is killed and replaced; one that
dies (segfault, memory limit) is replaced; the job gets a readable failure either way.
"""

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from scoremate_processor.pdf import PdfRejected, read_info, render_thumbnails

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[..., Any]] = {"read_info": read_info, "render_thumbnails": render_thumbnails}


class RenderFailed(Exception):
    """The worker died or ran out of time or memory on this file: a permanent failure of the job."""


def _serve(conn: Connection, memory_limit_bytes: int) -> None:
    """The worker process: run jobs from the pipe until it closes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    while True:
        try:
            job_id, name, args, kwargs = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            conn.send((job_id, "ok", JOBS[name](*args, **kwargs)))
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

    async def run(self, name: str, *args: Any, timeout: float, **kwargs: Any) -> Any:  # noqa: ASYNC109
        conn = self._ensure_started()
        job_id = next(self._jobs)
        conn.send((job_id, name, args, kwargs))
        try:
            ready = await asyncio.to_thread(conn.poll, timeout)
        except BaseException:
            # Cancelled while the worker still works: its answer would reach the next job.
            self.close()
            raise
        if not ready:
            log.warning("pdf worker overran %.0fs on %s; replacing it", timeout, name)
            self.close()
            raise RenderFailed(f"processing the PDF took longer than {timeout:.0f} s")
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
        if status == "ok":
            return payload
        if status == "rejected":
            raise PdfRejected(payload)
        raise RenderFailed(payload)


class WorkerPool:
    """A few isolated workers; a job waits for a free one."""

    def __init__(self, size: int, memory_limit_mb: int) -> None:
        self._workers = [IsolatedWorker(memory_limit_mb) for _ in range(size)]
        self._idle: asyncio.Queue[IsolatedWorker] = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    async def run(self, name: str, *args: Any, timeout: float, **kwargs: Any) -> Any:  # noqa: ASYNC109
        worker = await self._idle.get()
        try:
            return await worker.run(name, *args, timeout=timeout, **kwargs)
        finally:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(Exception):
                worker.close()
