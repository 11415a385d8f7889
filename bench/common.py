"""What the benchmarks share: a throw-away stack, wrk as the load generator, a table printer."""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scoremate_stack import Stack, StackConfig

BENCH_DIR = Path(__file__).resolve().parent
# Benchmarks take their own ports: a dev stack or a test run keeps going beside them.
PORT_OFFSET = int(os.environ.get("SCOREMATE_BENCH_PORT_OFFSET", "350"))


@contextmanager
def bench_stack(extra_env: dict[str, dict[str, str]] | None = None) -> Iterator[Stack]:
    run_dir = Path(tempfile.mkdtemp(prefix="scoremate-bench-"))
    run_dir.chmod(0o755)
    stack = Stack(StackConfig.for_tests(run_dir, extra_env=extra_env, port_offset=PORT_OFFSET))
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
        shutil.rmtree(run_dir, ignore_errors=True)


def wrk(
    url: str, token: str, *, connections: int = 50, seconds: int = 10, threads: int = 2
) -> dict[str, float]:
    """Load one URL with wrk (from Debian) and return its figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH_DIR / "percentiles.lua"),
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = result.stdout.strip().splitlines()[-1]
    figures: dict[str, float] = json.loads(line)
    return figures


def print_table(title: str, rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = [f"### {title}", "", "| " + " | ".join(c.ljust(widths[c]) for c in columns) + " |"]
    lines.append("|" + "|".join("-" * (widths[c] + 2) for c in columns) + "|")
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]).ljust(widths[c]) for c in columns) + " |")
    text = "\n".join(lines)
    print(text, flush=True)
    return text
