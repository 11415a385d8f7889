"""Isolated PDF work: each job runs in a sandboxed worker process (sandbox.py) with a timeout.

PDFium is C++ and the inputs are hostile: a decompression bomb, a hang or a crash must cost
one job, never the service, and a file that takes PDFium over must find nothing worth taking. A
worker that overruns its time is killed and replaced; one that dies (segfault, memory or CPU
limit) is replaced; the job gets a readable failure either way. A worker is also replaced after
RENDER_JOBS_PER_WORKER jobs.

Workers are started as `python -m scoremate_processor.render_worker` with an environment of their
own (multiprocessing's children would inherit the service's, credentials and all). The parent
opens each PDF and hands the open file over; the worker sends its results back over the pipe and
the parent uploads them. What a worker sends is untrusted: only the result types are unpickled
(anything else could run code in the service), and each is checked before it is used.

A job that yields (THUMBNAIL) streams each part back as soon as it is ready, so that the parent
stores one image while the worker renders the next; the timeout covers the whole job.
"""

import asyncio
import contextlib
import io
import itertools
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.reduction import send_handle
from pathlib import Path
from typing import Any

from scoremate_processor.pdf import PdfInfo, PdfRejected, Thumbnail, ThumbnailsRendered
from scoremate_processor.sandbox import (
    SandboxPolicy,
    SandboxReport,
    SandboxUnavailable,
    protect_service_process,
    worker_environment,
)
from scoremate_processor.settings import ProcessorSettings

log = logging.getLogger(__name__)

WORKER_MODULE = "scoremate_processor.render_worker"
# What each job's final answer is; the parts of a streaming job are thumbnails.
RESULT_TYPES: dict[str, type] = {"read_info": PdfInfo, "render_thumbnails": ThumbnailsRendered}
# The only classes a worker's messages may hold.
ALLOWED_CLASSES: dict[tuple[str, str], type] = {
    (cls.__module__, cls.__qualname__): cls for cls in (PdfInfo, Thumbnail, ThumbnailsRendered, SandboxReport)
}
# Far above any image or page list a worker sends (a 2,000 px cover is a few MB): a bound on what
# a worker that a hostile file took over can make the service hold.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_REASON_CHARS = 500


class RenderFailed(Exception):
    """The worker died or ran out of time or memory on this file: a permanent failure of the job."""


class _WorkerLost(Exception):
    """The worker's pipe closed, or it sent something that is not a message it may send."""


class _WorkerMessage(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        allowed = ALLOWED_CLASSES.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"a render worker may not send {module}.{name}")
        return allowed


def _valid_thumbnail(part: Any) -> bool:
    """Its page number becomes part of a storage key: an int from 1, or None for the cover."""
    page_ok = part.page is None or (type(part.page) is int and part.page >= 1)
    return page_ok and type(part.jpeg) is bytes and type(part.of_pages) is int and part.of_pages >= 0


def _job_answer(message: Any, job_id: int, name: str) -> tuple[str, Any] | None:
    """(status, payload) of a worker's message about this job; None if it is no answer it may send."""
    if not (isinstance(message, tuple) and len(message) == 3 and message[0] == job_id):
        return None
    _, status, payload = message
    if status == "part":
        return (status, payload) if isinstance(payload, Thumbnail) and _valid_thumbnail(payload) else None
    if status == "ok":
        # A page count's fields are checked again by the event model they become.
        return (status, payload) if isinstance(payload, RESULT_TYPES[name]) else None
    if status in ("rejected", "failed") and isinstance(payload, str):
        return status, payload[:MAX_REASON_CHARS]
    return None


class IsolatedWorker:
    def __init__(self, policy: SandboxPolicy) -> None:
        self._policy = policy
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._jobs = itertools.count(1)
        self._jobs_run = 0
        self.sandbox: SandboxReport | None = None

    @property
    def pid(self) -> int | None:
        """The worker process while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    async def start(self, timeout: float) -> SandboxReport:  # noqa: ASYNC109
        """Start the worker unless it runs; what its sandbox achieved."""
        if self.pid is not None and self._conn is not None and self.sandbox is not None:
            return self.sandbox
        self.close()
        deadline = time.monotonic() + timeout
        self._spawn()
        assert self._conn is not None
        try:
            self._conn.send(self._policy)
            message = await self._next_message(deadline)
        except (_WorkerLost, OSError) as exc:
            code = self.close()
            raise SandboxUnavailable(f"a render worker did not start (exit code {code}): {exc}") from exc
        match message:
            case ("ready", SandboxReport() as report):
                self.sandbox = report
                log.debug("pdf worker %s started: %s", self.pid, report.describe())
                return report
            case ("not-ready", str() as reason):
                self.close()
                raise SandboxUnavailable(f"a render worker could not start in its sandbox: {reason}")
            case None:
                self.close()
                raise SandboxUnavailable(f"a render worker did not start within {timeout:.0f} s")
        self.close()
        raise SandboxUnavailable("a render worker did not start: it sent no sandbox report")

    def _spawn(self) -> None:
        """Start the process (a fork and exec: a few milliseconds, once in a worker's life)."""
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-m", WORKER_MODULE, str(theirs.fileno())],
                env=worker_environment(),
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                cwd="/",
            )
        self._conn = Connection(ours.detach())
        self._jobs_run = 0

    def close(self) -> int | None:
        """Stop the worker; its exit code (negative: the signal that ended it), None if none ran."""
        code = None
        # The process first: its end of the pipe closes, so a thread still polling ours wakes up.
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._process.wait(timeout=5)
            self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.sandbox = None
        return code

    async def run(
        self,
        name: str,
        pdf: Path,
        *,
        timeout: float,  # noqa: ASYNC109
        on_part: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The job's result on the PDF at `pdf`; each part a streaming job yields goes to `on_part` as
        it arrives."""
        deadline = time.monotonic() + timeout
        await self.start(timeout)
        assert self._conn is not None
        assert self._process is not None
        job_id = next(self._jobs)
        with pdf.open("rb") as handle:
            try:
                self._conn.send((job_id, name, kwargs))
                send_handle(self._conn, handle.fileno(), self._process.pid)
            except OSError:
                self.close()  # died while idle: the job is retried on a new worker
                raise
        self._jobs_run += 1
        try:
            return await self._result(job_id, name, deadline, timeout, on_part)
        finally:
            if self._jobs_run >= self._policy.jobs_per_worker:
                self.close()

    async def _result(
        self,
        job_id: int,
        name: str,
        deadline: float,
        allowed_seconds: float,
        on_part: Callable[[Any], None] | None,
    ) -> Any:
        while True:
            status, payload = await self._answer(job_id, name, deadline, allowed_seconds)
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

    async def _next_message(self, deadline: float) -> Any:
        """The worker's next message, read as untrusted; None if none came by the deadline."""
        conn = self._conn
        assert conn is not None
        try:
            # Parts of a streaming job often wait already: no thread hop for those.
            ready = conn.poll(0) or await asyncio.to_thread(conn.poll, max(deadline - time.monotonic(), 0))
        except BaseException:
            # Cancelled while the worker still works: its answer would reach the next job.
            self.close()
            raise
        if not ready:
            return None
        try:
            return _WorkerMessage(io.BytesIO(conn.recv_bytes(MAX_MESSAGE_BYTES))).load()
        except Exception as exc:  # the pipe closed, or a message no worker of ours would send
            raise _WorkerLost(f"{exc.__class__.__name__}: {exc}"[:MAX_REASON_CHARS]) from exc

    async def _answer(
        self, job_id: int, name: str, deadline: float, allowed_seconds: float
    ) -> tuple[str, Any]:
        """The worker's next message about this job, within the job's deadline."""
        try:
            message = await self._next_message(deadline)
        except _WorkerLost as exc:
            code = self.close()
            log.warning("pdf worker died (exit code %s) on %s; replacing it: %s", code, name, exc)
            if code == -signal.SIGXCPU:
                raise RenderFailed("the PDF needs more CPU time than allowed to process") from exc
            raise RenderFailed("the PDF could not be processed within the worker's limits") from exc
        if message is None:
            log.warning("pdf worker overran %.0fs on %s; replacing it", allowed_seconds, name)
            self.close()
            raise RenderFailed(f"processing the PDF took longer than {allowed_seconds:.0f} s")
        answer = _job_answer(message, job_id, name)
        if answer is None:
            log.warning(
                "pdf worker sent an answer out of turn or of the wrong kind on %s; replacing it", name
            )
            self.close()
            raise RenderFailed("the PDF worker sent an answer it may not send; it was replaced")
        return answer


class WorkerPool:
    """A few isolated workers; a job waits for a free one."""

    def __init__(self, size: int, policy: SandboxPolicy, start_timeout: float) -> None:
        self._policy = policy
        self._start_timeout = start_timeout
        self._workers = [IsolatedWorker(policy) for _ in range(size)]
        self._idle: asyncio.Queue[IsolatedWorker] = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    @classmethod
    def from_settings(cls, settings: ProcessorSettings) -> "WorkerPool":
        return cls(
            settings.render_workers, SandboxPolicy.from_settings(settings), settings.job_timeout_seconds
        )

    async def start(self) -> None:
        """Start every worker now: a sandbox that cannot be had stops the service at start, and the
        log says what isolates the workers."""
        if os.geteuid() != 0:
            protect_service_process()  # the workers keep our uid
        workers = [await self._idle.get() for _ in self._workers]
        try:
            reports = await asyncio.gather(*(worker.start(self._start_timeout) for worker in workers))
        finally:
            for worker in workers:
                self._idle.put_nowait(worker)
        if all(report.network_isolated for report in reports):
            log.info("render workers sandboxed: %s", reports[0].describe())
        else:
            log.warning(
                "render workers are NOT isolated from the network: no network namespace (needs root or "
                "user namespaces) and no seccomp socket filter (needs libseccomp2); %s",
                reports[0].describe(),
            )

    async def run(
        self,
        name: str,
        pdf: Path,
        *,
        timeout: float,  # noqa: ASYNC109
        on_part: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        worker = await self._idle.get()
        try:
            return await worker.run(name, pdf, timeout=timeout, on_part=on_part, **kwargs)
        finally:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(Exception):
                worker.close()
