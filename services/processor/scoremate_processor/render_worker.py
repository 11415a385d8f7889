"""A render worker process: `python -m scoremate_processor.render_worker <fd>`, started by
isolation.IsolatedWorker with a clean environment and one end of a socket pair as `fd`.

It reads its sandbox policy from the pipe, does the work once on a blank page (loading all it
loads lazily), enters the sandbox and says what it achieved (or why it could not start), then runs
jobs until the pipe closes. Each job comes with the PDF as an open file
passed over the pipe: the worker cannot open the parent's files itself.
"""

import os
import sys
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle
from typing import Any

from scoremate_processor.pdf import PdfRejected, read_info, rehearse, render_thumbnails
from scoremate_processor.sandbox import SandboxPolicy, arm_cpu_limit, enter_sandbox

JOBS: dict[str, Callable[..., Any]] = {"read_info": read_info, "render_thumbnails": render_thumbnails}


def _send_parts(conn: Connection, job_id: int, parts: Generator[Any, None, Any]) -> Any:
    """Send what the job yields as it comes; returns what the job returns."""
    while True:
        try:
            part = next(parts)
        except StopIteration as finished:
            return finished.value
        conn.send((job_id, "part", part))


def serve(conn: Connection, policy: SandboxPolicy) -> None:
    """Run jobs from the pipe until it closes."""
    while True:
        try:
            job_id, name, kwargs = conn.recv()
            pdf = os.fdopen(recv_handle(conn), "rb")
        except (EOFError, OSError, KeyboardInterrupt):
            return
        arm_cpu_limit(policy)
        try:
            with pdf:
                result = JOBS[name](pdf, **kwargs)
                if isinstance(result, Generator):
                    result = _send_parts(conn, job_id, result)
            conn.send((job_id, "ok", result))
        except PdfRejected as exc:
            conn.send((job_id, "rejected", str(exc)))
        except MemoryError:
            conn.send((job_id, "failed", "the PDF needs more memory than allowed to process"))
        except Exception as exc:
            conn.send((job_id, "failed", f"the PDF could not be processed ({exc.__class__.__name__})"))


def main(fd: int) -> None:
    conn = Connection(fd)
    try:
        policy: SandboxPolicy = conn.recv()
    except (EOFError, KeyboardInterrupt):
        return
    try:
        # Before the sandbox: inside, the worker may not read the Python installation any more.
        rehearse()
        report = enter_sandbox(policy)
    except Exception as exc:
        conn.send(("not-ready", f"{exc.__class__.__name__}: {exc}"))
        return
    conn.send(("ready", report))
    serve(conn, policy)


if __name__ == "__main__":
    main(int(sys.argv[1]))
