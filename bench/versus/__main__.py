"""ScoreMate against the Django + DRF peer, side by side on one box, then the library service against
its floor (bench/versus/floor.py). Run: `uv run python -m bench.versus [--small] [--secs 15] ...`.

Both systems get the same data (the peer's seed.py: 10,000 users x 100 scores + one user with
100,000, same word pools, status mix, tags and notes) on the bench stack's PostgreSQL; each case
runs on the peer and on ScoreMate's gateway in turn (A B A B), a warm-up before each run, wrk -t2.
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from bench.common import bench_stack, print_table
from bench.versus.load import PASSWORD, Account, Case, Target, alternate
from bench.versus.peer import EMAILS, PeerCopy, free_port
from bench.versus.report import floor_rows, versus_rows
from bench.versus.scoremate_seed import Shape, checkpoint, seed
from scoremate_stack import Stack
from scoremate_stack.config import REPO_ROOT

FULL = Shape(users=10_000, per_user=100, big_user=100_000)
SMALL = Shape(users=100, per_user=50, big_user=5_000)
LIST = "/scores?page=1&page_size=20"


def versus_cases(shape: Shape, tag: str) -> list[Case]:
    small, big = f"{shape.per_user:,}-score user", f"{shape.big_user:,}-score user"
    return [
        Case(f"list page 1, {small}", "small", LIST, 10),
        Case(f"list page 1, {small}", "small", LIST, 50),
        Case(f"list page 1, {big}", "big", LIST, 50),
        Case(f"search 'nocturne', {big}", "big", "/scores?query=nocturne&page=1&page_size=20", 10),
        Case(f"search 'nocturne', {big}", "big", "/scores?query=nocturne&page=1&page_size=20", 50),
        Case(f"tag '{tag}', {big}", "big", f"/scores?tag={tag}&page=1&page_size=20", 50),
        Case(f"one score by id, {small}", "small", "/scores/{id}", 10),
        Case(f"one score by id, {small}", "small", "/scores/{id}", 50),
    ]


def floor_cases(shape: Shape) -> list[Case]:
    small = f"{shape.per_user:,}-score user"
    return [
        Case(f"list page 1, {small}", "small", LIST, 50),
        Case(f"one score by id, {small}", "small", "/scores/{id}", 50),
    ]


CASE_NAMES = [f"{c.name}, {c.connections} clients" for c in versus_cases(FULL, "<a tag of the pool>")]


def parse_args() -> argparse.Namespace:
    listing = "\n".join(f"  {i}: {name}" for i, name in enumerate(CASE_NAMES))
    parser = argparse.ArgumentParser(
        prog="python -m bench.versus",
        description=__doc__,
        epilog=f"cases (--cases):\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--secs", type=int, default=15, help="seconds per measured run (default 15)")
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds per case (default 2)")
    parser.add_argument("--cases", default="", help="comma-separated case indexes (default: all)")
    parser.add_argument("--skip-peer", action="store_true", help="only the floor against the library")
    parser.add_argument("--skip-floor", action="store_true", help="only the peer against ScoreMate")
    parser.add_argument(
        "--small", action="store_true", help="a small seed (100 x 50 + 5,000) for a quick check"
    )
    parser.add_argument("--out", default="", help="append the tables, dated, to this file")
    args = parser.parse_args()
    if args.skip_peer and args.skip_floor:
        parser.error("--skip-peer and --skip-floor leave nothing to measure")
    try:
        args.chosen = [int(i) for i in args.cases.split(",")] if args.cases else list(range(len(CASE_NAMES)))
    except ValueError:
        parser.error("--cases takes comma-separated numbers")
    if not all(0 <= i < len(CASE_NAMES) for i in args.chosen):
        parser.error(f"--cases: indexes are 0 to {len(CASE_NAMES) - 1}")
    return args


# --- accounts ---------------------------------------------------------------------------------


def register_scoremate(gateway: str) -> tuple[dict[str, str], dict[str, uuid.UUID]]:
    """The two ScoreMate accounts that log in: `small` and `big`."""
    emails, ids = {}, {}
    for user in ("small", "big"):
        email = f"versus-{user}-{uuid.uuid4().hex[:8]}@example.com"
        response = httpx.post(
            f"{gateway}/auth/register", json={"email": email, "password": PASSWORD}, timeout=60
        )
        response.raise_for_status()
        emails[user], ids[user] = email, uuid.UUID(response.json()["id"])
    return emails, ids


def print_totals(account: Account) -> None:
    """What each login sees: proves the seed landed where the cases look."""
    for user in ("small", "big"):
        response = httpx.get(
            f"{account.base_url}/scores?page=1&page_size=1",
            headers={"Authorization": f"Bearer {account.token(user)}"},
            timeout=60,
        )
        response.raise_for_status()
        print(f"{account.name}: {user} user sees total {response.json()['total']:,}", flush=True)


# --- the floor process ------------------------------------------------------------------------


class FloorServer:
    """bench/versus/floor.py in its own process, with the library service's environment."""

    def __init__(self, stack: Stack) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = stack.cfg.log_dir / "versus-floor.log"
        self._env = {**os.environ, **stack.cfg.service_env("library")}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bench.versus.floor", "--port", str(self.port)],
                env=self._env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for _ in range(300):
            if self._process.poll() is not None:
                raise RuntimeError(f"the floor exited: {self._log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the floor did not answer /healthz within 30 s")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])

    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.poll() is None else None

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def unsigned(item: dict[str, Any]) -> dict[str, Any]:
    """A score without what may rightly differ: the signing time and signature of its cover URL."""
    return {**item, "thumbnail_url": (item["thumbnail_url"] or "").split("?")[0] or None}


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    if "items" in body:
        return {**body, "items": [unsigned(item) for item in body["items"]]}
    return unsigned(body)


def compare_answers(floor: FloorServer, floor_target: Target, library: Target) -> None:
    """The floor must answer what the library answers, or the comparison means little."""
    account = library.account
    token = account.token("small")
    for path in (LIST, f"/scores/{account.first_score_id('small')}"):
        answers = [
            httpx.get(f"{t.base_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
            for t in (floor_target, library)
        ]
        if not all(a.is_success for a in answers):
            codes = [a.status_code for a in answers]
            print(f"WARNING: GET {path}: {codes} (floor, library); the floor's log ends:\n{floor.tail()}")
            continue
        ours, theirs = (comparable(a.json()) for a in answers)
        same = "the same" if ours == theirs else "NOT the same"
        print(
            f"floor and library answer {same} to GET {path} (cover URLs up to their signatures)", flush=True
        )
        if ours != theirs:
            print(f"  floor:   {str(ours)[:600]}\n  library: {str(theirs)[:600]}", flush=True)


# --- the run ----------------------------------------------------------------------------------


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up as Ctrl-C does


def _ignore_signals() -> None:
    """Once cleaning up, a second Ctrl-C must not leave servers behind."""
    print("cleaning up ...", flush=True)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def header(args: argparse.Namespace, shape: Shape) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"## bench.versus {datetime.now(UTC).date().isoformat()} (commit {commit.stdout.strip() or '?'}, "
        f"plus any uncommitted changes)\n\n"
        f"seed {shape.users:,} users x {shape.per_user:,} + 1 x {shape.big_user:,} = {shape.total:,} scores "
        f"per system; {args.secs} s runs after a {min(3, args.secs)} s warm-up, {args.rounds} round(s), "
        f"wrk -t2; medians over rounds; errors = socket errors/non-2xx summed; load average at start {load}"
    )


def run(args: argparse.Namespace, cleanup: ExitStack, texts: list[str]) -> None:
    """Everything started is registered with `cleanup`; each finished table lands in `texts`."""
    shape = SMALL if args.small else FULL
    texts.append(header(args, shape))
    print(texts[0] + "\n", flush=True)
    stack = cleanup.enter_context(bench_stack())
    peer = PeerCopy()
    cleanup.callback(peer.close)
    peer_seed = peer.seed_module()
    cases = versus_cases(shape, peer_seed.TAGS[0])

    emails, ids = register_scoremate(stack.gateway_url)
    scoremate = Account("ScoreMate", stack.gateway_url, emails)
    if not args.skip_peer:
        peer.start(stack.superuser_database_url)
        peer.start_seeding(shape.users, shape.per_user, shape.big_user)
    print(f"ScoreMate: seeding {shape.total:,} scores ...", flush=True)
    seconds = asyncio.run(seed(stack.superuser_database_url, peer_seed, shape, ids["small"], ids["big"]))
    print(f"ScoreMate: seeded in {seconds:.0f} s", flush=True)
    peer.wait_seeding()
    # The bulk loads' dirty pages written out now, not during the first measured runs.
    asyncio.run(checkpoint(stack.superuser_database_url))
    print_totals(scoremate)

    if not args.skip_peer:
        peer_account = Account("peer", peer.base_url, dict(EMAILS))
        print_totals(peer_account)
        targets = [
            Target("peer", peer.base_url, peer_account),
            Target("ScoreMate", stack.gateway_url, scoremate),
        ]
        selected = [cases[i] for i in args.chosen]
        results = alternate(selected, targets, args.rounds, args.secs)
        title = "Reads, the DRF peer (2 gunicorn workers) against ScoreMate (through its gateway)"
        texts.append(print_table(title, versus_rows(list(zip(args.chosen, selected, strict=True)), results)))

    if not args.skip_floor:
        texts.append(measure_floor(stack, scoremate, shape, args, cleanup))


def measure_floor(
    stack: Stack, scoremate: Account, shape: Shape, args: argparse.Namespace, cleanup: ExitStack
) -> str:
    floor = FloorServer(stack)
    cleanup.callback(floor.stop)
    floor.start()
    targets = [
        Target("floor", floor.base_url, scoremate, pid=floor.pid),
        Target(
            "library", stack.service_url("library"), scoremate, pid=lambda: stack.processes.pid("library")
        ),
    ]
    compare_answers(floor, *targets)
    cases = floor_cases(shape)
    results = alternate(cases, targets, args.rounds, args.secs)
    title = "The library service hit directly against the floor, CPU per request (a process and its children)"
    return print_table(title, floor_rows(cases, results))


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    texts: list[str] = []
    try:
        with ExitStack() as cleanup:
            try:
                run(args, cleanup, texts)
            finally:
                cleanup.callback(_ignore_signals)  # runs first of the callbacks
    finally:
        # Tables finished before a failure are kept too.
        if args.out and len(texts) > 1:
            with Path(args.out).open("a") as out:
                out.write("\n\n".join(texts) + "\n\n")
            print(f"appended to {args.out}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; everything started was stopped")
