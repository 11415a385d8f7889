"""Load generation for the side-by-side runs: wrk, accounts and their tokens, A B A B rounds, CPU time."""

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LUA = Path(__file__).resolve().parent / "wrk.lua"
PASSWORD = "peer-password-123"
# Access tokens live 15 minutes on both sides; a fresh login now and then keeps them valid.
TOKEN_REUSE_SECONDS = 300.0
WARMUP_SECONDS = 3
SETTLE_TIMEOUT_SECONDS = 120.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Figures:
    """One wrk run; `cpu_ms` is the measured process's CPU time per request, when one was watched."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    cpu_ms: float | None = None


@dataclass(frozen=True)
class Summary:
    """Medians over rounds; errors summed."""

    runs: int
    rps: float
    p50_ms: float | None  # None: no request of any run completed
    p99_ms: float | None
    non_2xx: int
    socket_errors: int
    cpu_ms: float | None
    busy_pct: float | None  # the process's share of one core during the runs


def summarise(runs: list[Figures]) -> Summary | None:
    if not runs:
        return None
    cpu = [f.cpu_ms for f in runs if f.cpu_ms is not None]
    # A run in which nothing completed has no latencies (wrk reports 0), only a rate of 0.
    answered = [f for f in runs if f.requests]
    return Summary(
        runs=len(runs),
        rps=statistics.median(f.rps for f in runs),
        p50_ms=statistics.median(f.p50_ms for f in answered) if answered else None,
        p99_ms=statistics.median(f.p99_ms for f in answered) if answered else None,
        non_2xx=sum(f.non_2xx for f in runs),
        socket_errors=sum(f.socket_errors for f in runs),
        cpu_ms=statistics.median(cpu) if cpu else None,
        busy_pct=statistics.median(f.cpu_ms * f.rps / 10 for f in runs if f.cpu_ms is not None)
        if cpu
        else None,
    )


def run_wrk(url: str, token: str, connections: int, seconds: int) -> Figures:
    """wrk -t2 against one URL with a bearer token; its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n' + LUA.read_text())
        script.flush()
        result = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
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
            timeout=seconds + 60,
        )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return Figures(
        requests=int(figures["requests"]),
        rps=float(figures["rps"]),
        p50_ms=float(figures["p50_ms"]),
        p99_ms=float(figures["p99_ms"]),
        non_2xx=int(figures["non_2xx"]),
        socket_errors=int(figures["socket_errors"]),
    )


# --- CPU time from /proc (no psutil) -----------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (a service may run worker processes)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids.extend(process_tree(int(child)))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its live descendants."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        # After the command name: state is field 3 of stat(5), utime 14 and stime 15.
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


# --- who calls, and what ------------------------------------------------------------------------


@dataclass
class Account:
    """The logins of one system: `small` and `big` users, all with PASSWORD."""

    name: str
    base_url: str
    emails: dict[str, str]
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    _first_ids: dict[str, str] = field(default_factory=dict)

    def token(self, user: str) -> str:
        cached = self._tokens.get(user)
        if cached is not None and time.monotonic() - cached[1] < TOKEN_REUSE_SECONDS:
            return cached[0]
        response = httpx.post(
            f"{self.base_url}/auth/login",
            json={"email": self.emails[user], "password": PASSWORD},
            timeout=60,
        )
        response.raise_for_status()
        token = str(response.json()["access_token"])
        self._tokens[user] = (token, time.monotonic())
        return token

    def first_score_id(self, user: str) -> str:
        """The id of the user's newest score, for the by-id cases."""
        if user not in self._first_ids:
            response = httpx.get(
                f"{self.base_url}/scores?page=1&page_size=1",
                headers={"Authorization": f"Bearer {self.token(user)}"},
                timeout=60,
            )
            response.raise_for_status()
            self._first_ids[user] = str(response.json()["items"][0]["id"])
        return self._first_ids[user]


@dataclass(frozen=True)
class Target:
    """Where a run sends its requests; `pid` names a process whose CPU time is measured."""

    name: str
    base_url: str
    account: Account
    pid: Callable[[], int | None] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    user: str  # "small" or "big"
    path: str  # "{id}" stands for the user's newest score
    connections: int


def case_url(target: Target, case: Case) -> str:
    path = case.path.replace("{id}", target.account.first_score_id(case.user))
    return target.base_url + path


def check_answer(url: str, token: str) -> str | None:
    """A warning when one request does not succeed: the run then mostly measures errors."""
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    if response.is_success:
        return None
    return f"{response.status_code} {response.text[:200]}"


def settle(url: str, token: str) -> None:
    """Let the requests wrk left in flight finish before the next run: a sync server keeps serving its
    queue of them (a slow case can hold it for longer than a whole run), an async one its tasks."""
    try:
        # Queued behind the leftovers, so its answer means they are done.
        httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=SETTLE_TIMEOUT_SECONDS)
    except httpx.HTTPError:
        pass
    time.sleep(1)


def measure(target: Target, case: Case, seconds: int) -> Figures:
    """A warm-up, then the measured run; CPU time of the target's process around the latter."""
    token = target.account.token(case.user)
    url = case_url(target, case)
    problem = check_answer(url, token)
    if problem:
        print(f"  WARNING: {target.name} {url} answers {problem}", flush=True)
    run_wrk(url, token, case.connections, min(WARMUP_SECONDS, seconds))
    settle(url, token)
    pid = target.pid() if target.pid else None
    cpu_before = cpu_seconds(pid) if pid else 0.0
    figures = run_wrk(url, token, case.connections, seconds)
    if pid and figures.requests:
        cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / figures.requests
        figures = Figures(**{**vars(figures), "cpu_ms": cpu_ms})
    settle(url, token)  # nor must they weigh on the other system's run
    return figures


def describe(figures: Figures) -> str:
    if not figures.requests:
        return (
            f"no request completed within the run (non-2xx {figures.non_2xx}, errors {figures.socket_errors})"
        )
    text = (
        f"{figures.rps:7.1f} req/s  p50 {figures.p50_ms:7.1f} ms  p99 {figures.p99_ms:7.1f} ms  "
        f"non-2xx {figures.non_2xx}  errors {figures.socket_errors}"
    )
    if figures.cpu_ms is not None:
        text += f"  CPU {figures.cpu_ms:.2f} ms/req"
    return text


def alternate(
    cases: list[Case], targets: list[Target], rounds: int, seconds: int
) -> list[dict[str, list[Figures]]]:
    """Every case on every target in turn (A B A B), `rounds` times; a failed run is reported and skipped."""
    results: list[dict[str, list[Figures]]] = [{t.name: [] for t in targets} for _ in cases]
    for round_number in range(1, rounds + 1):
        for index, case in enumerate(cases):
            for target in targets:
                label = f"round {round_number} | {case.name}, {case.connections} clients | {target.name:9}"
                try:
                    figures = measure(target, case, seconds)
                except (subprocess.SubprocessError, httpx.HTTPError, ValueError, KeyError, IndexError) as exc:
                    print(f"{label} | FAILED: {exc!r}", flush=True)
                    continue
                print(f"{label} | {describe(figures)}", flush=True)
                results[index][target.name].append(figures)
    return results
