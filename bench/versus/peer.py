"""The Django + DRF peer: a writable copy of the read-only handout, run with its own scripts on the
bench stack's PostgreSQL (role `peer`, database `peerdb`)."""

import asyncio
import importlib.util
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import asyncpg

from scoremate_stack.config import REPO_ROOT

HANDOUT = Path(os.environ.get("SCOREMATE_PEER_DIR", str(REPO_ROOT.parent / "shared" / "peer" / "django_drf")))
ROLE, ROLE_PASSWORD, DATABASE = "peer", "peerpw", "peerdb"
EMAILS = {"small": "user1@peer.test", "big": "big@peer.test"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def plain_dsn(url: str) -> str:
    """asyncpg and psycopg take postgresql://, SQLAlchemy's URLs carry a driver."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


class PeerCopy:
    """A temporary, writable copy of the handout (run.sh writes .venv/ and .run/ beside itself)."""

    def __init__(self, handout: Path = HANDOUT) -> None:
        if not (handout / "run.sh").exists():
            raise SystemExit(f"the peer handout is not at {handout} (set SCOREMATE_PEER_DIR)")
        self.tmp = Path(tempfile.mkdtemp(prefix="scoremate-versus-peer-"))
        self.dir = self.tmp / "django_drf"
        shutil.copytree(handout, self.dir, ignore=shutil.ignore_patterns(".venv", ".run", "__pycache__"))
        # The handout is read-only; its modes came along with the copy.
        for path in [self.dir, *self.dir.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
        self.port = free_port()
        self.dsn = ""
        self.started = False
        self._seeding: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def seed_module(self) -> ModuleType:
        """The handout's seed.py, for its word pools and its score generator."""
        spec = importlib.util.spec_from_file_location("peer_seed", self.dir / "seed.py")
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot load {self.dir / 'seed.py'}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def start(self, superuser_url: str, workers: int = 2) -> None:
        """Role and database on the stack's PostgreSQL, then run.sh (venv on first run, migrate, gunicorn)."""
        self.dsn = create_database(superuser_url)
        print(
            f"peer: run.sh on port {self.port}, {workers} workers (first run installs its venv)", flush=True
        )
        self.started = True
        result = subprocess.run(
            ["bash", str(self.dir / "run.sh"), str(self.port), self.dsn],
            env={**os.environ, "WORKERS": str(workers)},
            cwd=self.dir,
            capture_output=True,
            text=True,
            # Its gunicorn runs on in the background: its own session keeps Ctrl-C for us,
            # and stop.sh stops it.
            start_new_session=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"peer run.sh failed:\n{result.stdout}\n{result.stderr}")
        print(f"peer: {result.stdout.strip().splitlines()[-1]}", flush=True)

    def start_seeding(self, users: int, per_user: int, big_user: int) -> None:
        """seed.py in the background (it runs beside the ScoreMate seed); output to a log file."""
        log = (self.tmp / "seed.log").open("wb")
        self._seeding = subprocess.Popen(
            [
                str(self.dir / ".venv" / "bin" / "python"),
                "seed.py",
                self.dsn,
                "--users",
                str(users),
                "--scores-per-user",
                str(per_user),
                "--big-user",
                str(big_user),
            ],
            cwd=self.dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def wait_seeding(self) -> None:
        if self._seeding is None:
            return
        code = self._seeding.wait()
        self._seeding = None
        text = (self.tmp / "seed.log").read_text(errors="replace")
        if code != 0:
            raise RuntimeError(f"peer seed.py failed ({code}):\n{text[-3000:]}")
        seeded = [line for line in text.splitlines() if line.startswith("seeded")]
        print(f"peer: {seeded[-1] if seeded else text.strip()[-300:]}", flush=True)

    def close(self) -> None:
        """Stop whatever was started, remove the copy; safe to call on any path out."""
        if self._seeding is not None and self._seeding.poll() is None:
            self._seeding.terminate()
            try:
                self._seeding.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._seeding.kill()
                self._seeding.wait()
        if self.started:
            result = subprocess.run(
                ["bash", str(self.dir / "stop.sh")], cwd=self.dir, capture_output=True, text=True, check=False
            )
            print(f"peer: {result.stdout.strip() or result.stderr.strip()}", flush=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def create_database(superuser_url: str) -> str:
    """Role `peer` and database `peerdb` made by the stack's superuser; the peer's DSN."""
    return asyncio.run(_create_database(plain_dsn(superuser_url)))


async def _create_database(superuser_dsn: str) -> str:
    admin = await asyncpg.connect(superuser_dsn)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", ROLE):
            await admin.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{ROLE_PASSWORD}'")
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await admin.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
    finally:
        await admin.close()
    server = urlsplit(superuser_dsn)
    dsn = f"postgresql://{ROLE}:{ROLE_PASSWORD}@{server.hostname}:{server.port}/{DATABASE}"
    try:
        # The stack's pg_hba must let a password role in over TCP from 127.0.0.1.
        probe = await asyncpg.connect(dsn)
    except (asyncpg.PostgresError, OSError) as exc:
        raise RuntimeError(f"the peer role cannot log in to the stack's PostgreSQL: {exc!r}") from exc
    await probe.close()
    return dsn
