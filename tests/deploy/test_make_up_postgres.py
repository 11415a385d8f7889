"""`make up`'s PostgreSQL keeps what it acknowledged through a crash or a power cut; only the
throw-away test stack may trade that for speed."""

import shutil
import socket
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from scoremate_stack import Stack, StackConfig
from scoremate_stack.infra import PG_BIN, postgres_argv, postgres_dir

DURABILITY = ("fsync", "full_page_writes", "synchronous_commit")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.stack
def test_make_up_postgres_runs_with_fsync_full_page_writes_and_synchronous_commit_on():
    """PostgreSQL alone, started as `make up` starts it (StackConfig.dev()), in a folder of its own
    on a free port: SHOW reads back what the server really runs with."""
    # Not under pytest's tmp_path: PostgreSQL runs as `postgres` and needs to traverse the path.
    run_dir = Path(tempfile.mkdtemp(prefix="scoremate-durable-"))
    run_dir.chmod(0o755)
    dev = StackConfig.dev()
    cfg = replace(dev, run_dir=run_dir, ports=replace(dev.ports, postgres=_free_port()))
    stack = Stack(cfg)
    try:
        stack.start("postgres", timeout=120)
        shown = {}
        for setting in DURABILITY:
            result = subprocess.run(
                [
                    str(PG_BIN / "psql"),
                    "-h",
                    str(postgres_dir(cfg) / "run"),
                    "-p",
                    str(cfg.ports.postgres),
                    "-U",
                    "postgres",
                    "-d",
                    "scoremate",
                    "-tAc",
                    f"SHOW {setting}",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            shown[setting] = result.stdout.strip()
        assert shown == dict.fromkeys(DURABILITY, "on")
    finally:
        stack.stop("postgres")
        shutil.rmtree(run_dir, ignore_errors=True)


def test_only_the_test_stack_turns_durability_off(tmp_path: Path):
    def settings(cfg: StackConfig) -> dict[str, str]:
        argv = postgres_argv(cfg)
        pairs = [argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "-c"]
        return {name: value for name, value in pairs if name in DURABILITY}

    assert settings(StackConfig.dev()) == dict.fromkeys(DURABILITY, "on")
    assert settings(StackConfig.for_tests(tmp_path)) == dict.fromkeys(DURABILITY, "off")
