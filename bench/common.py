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
    url: str,
    token: str | None,
    *,
    connections: int = 50,
    seconds: int = 10,
    threads: int = 2,
    method: str = "GET",
    body: str | None = None,
) -> dict[str, float]:
    """Load one URL with wrk (from Debian) and return its figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    request = f'wrk.method = "{method}"\n'
    if body is not None:
        request += f"wrk.body = {json.dumps(body)}\n" + 'wrk.headers["Content-Type"] = "application/json"\n'
    if token:
        request += f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(request + (BENCH_DIR / "percentiles.lua").read_text())
        script.flush()
        result = subprocess.run(
            [
                "wrk",
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
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
