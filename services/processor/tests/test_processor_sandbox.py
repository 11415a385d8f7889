"""The render workers' sandbox, seen from outside (/proc) and from the answers they give."""

import io
import logging
import os
import pickle
import pwd
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from scoremate_processor.isolation import (
    IsolatedWorker,
    RenderFailed,
    WorkerPool,
    _job_answer,
    _WorkerMessage,
)
from scoremate_processor.pdf import Thumbnail
from scoremate_processor.sandbox import (
    WORKER_ENVIRONMENT,
    SandboxPolicy,
    SandboxReport,
    SandboxUnavailable,
    render_identity,
)
from scoremate_processor.settings import ProcessorSettings

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
BAD = CORPUS / "bad"
THUMBNAILS = dict(cover_width_px=400, page_width_px=200, max_height_factor=3.0, quality=80)
SECRETS = {
    "S3_SECRET_KEY": "sandbox-test-s3-secret",
    "DATABASE_URL": "postgresql+asyncpg://processor:sandbox-test-db-password@127.0.0.1/scoremate",
    "AMQP_URL": "amqp://scoremate:sandbox-test-amqp-password@127.0.0.1:5672/",
}
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the service drops to RENDER_USER only as root")


def _policy(**changes: object) -> SandboxPolicy:
    """The settings' default sandbox, with these changes."""
    return replace(SandboxPolicy.from_settings(ProcessorSettings.model_construct()), **changes)


@pytest.fixture
async def worker(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[IsolatedWorker]:
    """A started worker of a service whose environment holds credentials."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    started = IsolatedWorker(_policy())
    await started.start(timeout=30)
    yield started
    started.close()


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def _environ(pid: int) -> bytes:
    return Path(f"/proc/{pid}/environ").read_bytes()


def _interfaces(pid: int) -> set[str]:
    """The network interfaces the process sees."""
    return {line.split(":")[0].strip() for line in Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]}


def _limits(pid: int) -> dict[str, tuple[str, str]]:
    """Limit name -> (soft, hard), as /proc shows them."""
    rows = Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    return {row[:26].strip(): (row[26:47].strip(), row[47:68].strip()) for row in rows}


async def test_a_worker_sees_none_of_the_service_environment(worker: IsolatedWorker):
    assert worker.pid is not None
    environ = _environ(worker.pid)
    names = {entry.split(b"=", 1)[0].decode() for entry in environ.split(b"\0") if entry}
    assert names <= {*WORKER_ENVIRONMENT, "PYTHONPATH"}
    for secret in SECRETS.values():
        assert secret.encode() not in environ
    info = await worker.run("read_info", CORPUS / "bach_chorale-bwv1-6.pdf", timeout=30)
    assert info.pages == 2


async def test_a_worker_cannot_open_a_socket(worker: IsolatedWorker):
    assert worker.sandbox is not None
    assert worker.pid is not None
    assert worker.sandbox.socket_filter
    assert worker.sandbox.sockets_refused  # its own socket(AF_INET) failed
    assert _status(worker.pid)["Seccomp"] == "2"
    assert _status(worker.pid)["NoNewPrivs"] == "1"


@as_root
async def test_a_worker_has_a_network_namespace_of_its_own(worker: IsolatedWorker):
    assert worker.sandbox is not None
    assert worker.pid is not None
    assert worker.sandbox.network_namespace
    assert os.readlink(f"/proc/{worker.pid}/ns/net") != os.readlink("/proc/self/ns/net")
    assert _interfaces(worker.pid) == {"lo"}


@as_root
async def test_a_worker_runs_as_the_render_user_with_no_groups(worker: IsolatedWorker):
    assert worker.pid is not None
    nobody = pwd.getpwnam("nobody")
    status = _status(worker.pid)
    assert status["Uid"].split() == [str(nobody.pw_uid)] * 4
    assert status["Gid"].split() == [str(nobody.pw_gid)] * 4
    assert status["Groups"] == ""
    assert status["CapEff"] == "0000000000000000"
    # The PDF it is handed is readable, though the job's folder is not.
    info = await worker.run("read_info", CORPUS / "schoenberg_op19-2.pdf", timeout=30)
    assert info.pages == 1


async def test_a_worker_runs_under_its_limits(worker: IsolatedWorker):
    assert worker.pid is not None
    defaults = ProcessorSettings.model_construct()
    limits = _limits(worker.pid)
    memory = str(defaults.render_memory_limit_mb * 1024 * 1024)
    assert limits["Max address space"] == (memory, memory)
    file_size = str(defaults.render_file_size_limit_mb * 1024 * 1024)
    assert limits["Max file size"] == (file_size, file_size)
    open_files = str(defaults.render_open_files_limit)
    assert limits["Max open files"] == (open_files, open_files)
    assert limits["Max core file size"] == ("0", "0")
    soft, hard = limits["Max cpu time"]
    assert int(soft) <= defaults.render_cpu_limit_seconds + 1  # the start-up's second, rounded up
    assert int(hard) == (defaults.render_cpu_limit_seconds + 1) * (defaults.render_jobs_per_worker + 1)


async def test_a_job_over_its_cpu_share_fails_and_the_next_job_runs():
    worker = IsolatedWorker(_policy(cpu_seconds_per_job=1))
    try:
        with pytest.raises(RenderFailed, match="more CPU time than allowed"):
            await worker.run(
                "render_thumbnails",
                BAD / "pages-5000.pdf",
                timeout=120,
                on_part=lambda part: None,
                max_pages=5000,
                **THUMBNAILS,
            )
        assert (await worker.run("read_info", CORPUS / "schoenberg_op19-2.pdf", timeout=30)).pages == 1
    finally:
        worker.close()


async def test_the_cpu_limit_is_one_jobs_share_not_the_workers_whole_life():
    worker = IsolatedWorker(_policy(cpu_seconds_per_job=1))
    try:
        await worker.start(timeout=30)
        pid = worker.pid
        # ~0.4 CPU-s each: together several times one job's share.
        for _ in range(8):
            rendered = await worker.run(
                "render_thumbnails",
                CORPUS / "anthology_book.pdf",
                timeout=60,
                on_part=lambda part: None,
                max_pages=93,
                **THUMBNAILS,
            )
            assert rendered.pages_total == 93
        assert worker.pid == pid
    finally:
        worker.close()


async def test_a_worker_is_replaced_after_its_share_of_jobs():
    worker = IsolatedWorker(_policy(jobs_per_worker=2))
    try:
        pids = []
        for _ in range(3):
            await worker.start(timeout=30)
            pids.append(worker.pid)
            await worker.run("read_info", CORPUS / "schoenberg_op19-6.pdf", timeout=30)
        assert pids[0] == pids[1] != pids[2]
    finally:
        worker.close()


@as_root
async def test_a_worker_that_cannot_drop_root_renders_nothing():
    worker = IsolatedWorker(_policy(run_as=(0, 0)))
    try:
        with pytest.raises(SandboxUnavailable, match="could take root back"):
            await worker.run("read_info", CORPUS / "schoenberg_op19-6.pdf", timeout=30)
        assert worker.pid is None
    finally:
        worker.close()


@as_root
def test_an_unknown_or_root_render_user_stops_the_service_at_start():
    with pytest.raises(ValueError, match="does not exist"):
        render_identity("no-such-render-user")
    with pytest.raises(ValueError, match="not root"):
        render_identity("root")
    assert render_identity("12345:23456") == (12345, 23456)


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("true",))


def test_a_worker_message_that_would_run_code_in_the_service_is_refused():
    forged = pickle.dumps((1, "ok", _RunsCode()))
    with pytest.raises(pickle.UnpicklingError, match="may not send"):
        _WorkerMessage(io.BytesIO(forged)).load()


def test_a_thumbnail_whose_page_is_no_page_number_is_refused():
    assert _job_answer((7, "part", Thumbnail(3, b"jpeg")), 7, "render_thumbnails") == (
        "part",
        Thumbnail(3, b"jpeg"),
    )
    for page in ("../../other-user/cover", 0, -1, True, 2.0):
        assert _job_answer((7, "part", Thumbnail(page, b"jpeg")), 7, "render_thumbnails") is None
    assert _job_answer((6, "part", Thumbnail(3, b"jpeg")), 7, "render_thumbnails") is None
    assert _job_answer((7, "ok", Thumbnail(3, b"jpeg")), 7, "read_info") is None
    assert _job_answer((7, "failed", "x" * 10_000), 7, "read_info") == ("failed", "x" * 500)


async def test_the_pool_starts_its_workers_and_says_how_they_are_sandboxed(caplog: pytest.LogCaptureFixture):
    pool = WorkerPool(2, _policy(), start_timeout=30)
    try:
        with caplog.at_level(logging.INFO, logger="scoremate_processor.isolation"):
            await pool.start()
        assert "render workers sandboxed" in caplog.text
        assert "seccomp filter refusing sockets" in caplog.text
        info = await pool.run("read_info", CORPUS / "bach_chorale-bwv1-6.pdf", timeout=30)
        assert info.pages == 2
    finally:
        pool.close()


async def test_a_pool_whose_workers_reach_the_network_says_so_loudly(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    unisolated = SandboxReport(
        uid=1000, gid=1000, network_namespace=False, socket_filter=False, sockets_refused=False
    )

    async def start_without_isolation(self: IsolatedWorker, timeout: float) -> SandboxReport:
        return unisolated

    monkeypatch.setattr(IsolatedWorker, "start", start_without_isolation)
    pool = WorkerPool(2, _policy(), start_timeout=30)
    with caplog.at_level(logging.INFO, logger="scoremate_processor.isolation"):
        await pool.start()
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "NOT isolated from the network" in warnings[0].getMessage()
