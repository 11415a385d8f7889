"""Issue 11 row 6: the processes that render PDFs hold no credentials, reach no network, run as an
unprivileged user and under limits. A score is rendered through the gateway first; the processor's
worker processes that did it are then looked at from outside, through /proc."""

import os
import pwd
from pathlib import Path

import pytest

from scoremate_processor.settings import ProcessorSettings
from scoremate_stack import Stack
from tests.support import ApiClient, corpus_manifest, list_objects

pytestmark = pytest.mark.stack

# Settings of the processor that are credentials or lead to them.
CREDENTIALS = ("DATABASE_URL", "AMQP_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY", "UPLOAD_TOKEN_SECRET")
DEFAULTS = ProcessorSettings.model_construct()


async def _workers_after_a_render(api: ApiClient, stack: Stack) -> tuple[int, list[int]]:
    """Render a score through the gateway; the processor's pid and its (worker) child processes."""
    user = await api.register()
    score = await api.upload_score(
        user, corpus_manifest()["schoenberg_op19-2.pdf"].path.read_bytes(), title="Sandboxed"
    )
    ready = await api.wait_for_score(user, score["id"])
    assert ready["status"] == "ready", ready["error"]
    # The worker sent the images; the service stored them.
    stored = await list_objects(stack, f"{user.id}/scores/{score['id']}/")
    assert f"{user.id}/scores/{score['id']}/cover.jpg" in stored, stored
    processor = stack.processes.pid("processor")
    assert processor is not None
    children = _children(processor)
    assert children
    return processor, children


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == pid:
            children.append(int(stat.parent.name))
    return children


def _environ(pid: int) -> bytes:
    return Path(f"/proc/{pid}/environ").read_bytes()


def _interfaces(pid: int) -> set[str]:
    """The network interfaces the process sees."""
    return {line.split(":")[0].strip() for line in Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]}


def _limits(pid: int) -> dict[str, tuple[str, str]]:
    """Limit name -> (soft, hard), as /proc shows them."""
    rows = Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    return {row[:26].strip(): (row[26:47].strip(), row[47:68].strip()) for row in rows}


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


async def test_render_workers_hold_none_of_the_services_credentials(api: ApiClient, stack: Stack):
    processor, workers = await _workers_after_a_render(api, stack)
    service_env = stack.cfg.service_env("processor")
    assert b"S3_SECRET_KEY=" in _environ(processor)  # what there is to hide
    for worker in workers:
        environ = _environ(worker)
        names = {entry.split(b"=", 1)[0].decode() for entry in environ.split(b"\0") if entry}
        assert names <= {"PATH", "LANG", "LC_ALL", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH"}, names
        for name in CREDENTIALS:
            assert service_env[name].encode() not in environ, name


async def test_render_workers_reach_no_network(api: ApiClient, stack: Stack):
    processor, workers = await _workers_after_a_render(api, stack)
    for worker in workers:
        # A network namespace of their own, holding nothing but a loopback interface...
        assert os.readlink(f"/proc/{worker}/ns/net") != os.readlink(f"/proc/{processor}/ns/net")
        assert _interfaces(worker) == {"lo"}
        # ...and a seccomp filter under which socket() fails.
        assert _status(worker)["Seccomp"] == "2"
        assert _status(worker)["NoNewPrivs"] == "1"
    log = stack.processes.log_file("processor").read_text(errors="replace")
    assert "render workers sandboxed:" in log
    assert "own network namespace + seccomp filter refusing sockets" in log


async def test_render_workers_run_as_an_unprivileged_user(api: ApiClient, stack: Stack):
    _, workers = await _workers_after_a_render(api, stack)
    for worker in workers:
        status = _status(worker)
        assert "0" not in status["Uid"].split() + status["Gid"].split(), status["Uid"]
        nobody = pwd.getpwnam(DEFAULTS.render_user)
        assert status["Uid"].split() == [str(nobody.pw_uid)] * 4
        assert status["Gid"].split() == [str(nobody.pw_gid)] * 4
        assert status["Groups"] == ""
        assert status["CapEff"] == status["CapPrm"] == "0000000000000000"


async def test_render_workers_run_under_cpu_memory_file_size_and_open_file_limits(
    api: ApiClient, stack: Stack
):
    _, workers = await _workers_after_a_render(api, stack)
    for worker in workers:
        limits = _limits(worker)
        assert "unlimited" not in limits["Max cpu time"] + limits["Max file size"], limits
        memory = str(DEFAULTS.render_memory_limit_mb * 1024 * 1024)
        assert limits["Max address space"] == (memory, memory)
        file_size = str(DEFAULTS.render_file_size_limit_mb * 1024 * 1024)
        assert limits["Max file size"] == (file_size, file_size)
        open_files = str(DEFAULTS.render_open_files_limit)
        assert limits["Max open files"] == (open_files, open_files)
        assert limits["Max core file size"] == ("0", "0")
        # One job's share past what the worker has used so far; its whole life's budget as hard limit.
        cpu_hard = (DEFAULTS.render_cpu_limit_seconds + 1) * (DEFAULTS.render_jobs_per_worker + 1)
        soft, hard = limits["Max cpu time"]
        assert int(soft) <= cpu_hard
        assert int(hard) == cpu_hard
