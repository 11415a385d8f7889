"""Background processes tracked by PID files: start, signal, wait, reap."""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class ProcessTable:
    """One PID file per named process under `pid_dir`; logs appended to `log_dir/<name>.log`."""

    def __init__(self, pid_dir: Path, log_dir: Path) -> None:
        self.pid_dir = pid_dir
        self.log_dir = log_dir
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def _pid_file(self, name: str) -> Path:
        return self.pid_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def pid(self, name: str) -> int | None:
        """The PID of `name` if that process is alive."""
        try:
            pid = int(self._pid_file(name).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if self._alive(pid) else None

    def is_running(self, name: str) -> bool:
        return self.pid(name) is not None

    def _alive(self, pid: int) -> bool:
        child = self._children.get(pid)
        if child is not None:
            return child.poll() is None
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return False
        return state not in ("Z", "X")

    def spawn(
        self, name: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> int:
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file(name).open("ab") as log:
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                # Its own session: Ctrl-C in `make up` or pytest does not reach the servers.
                start_new_session=True,
            )
        self._children[child.pid] = child
        self._pid_file(name).write_text(f"{child.pid}\n")
        return child.pid

    def send_signal(self, name: str, sig: int) -> bool:
        pid = self.pid(name)
        if pid is None:
            return False
        try:
            _signal(pid, sig)
        except ProcessLookupError:
            return False
        return True

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Signal `name` and wait for it to exit; SIGKILL after `timeout`."""
        pid = self.pid(name)
        if pid is None:
            self._pid_file(name).unlink(missing_ok=True)
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        if not wait_until(lambda: not self._alive(pid), timeout):
            try:
                _signal(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            wait_until(lambda: not self._alive(pid), 5.0)
        self._children.pop(pid, None)
        self._pid_file(name).unlink(missing_ok=True)

    def tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file(name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def _signal(pid: int, sig: int) -> None:
    """SIGKILL takes the whole process group (a service's worker processes die with their
    master, as in a crashed container); other signals go to the leader, which relays them."""
    if sig == signal.SIGKILL:
        try:
            os.killpg(pid, sig)
            return
        except (ProcessLookupError, PermissionError):
            pass  # not a group leader (anymore): the process alone
    os.kill(pid, sig)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
