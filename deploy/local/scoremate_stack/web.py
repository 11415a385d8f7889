"""The web app and the admin console (web/): `npm ci` and `npm run build` into web/dist, which the
gateway serves. Skipped when web/dist is newer than every file a build reads, so `make up` and
`make test` pay for it only after a change."""

import re
import shutil
import subprocess
from pathlib import Path

from scoremate_stack.config import REPO_ROOT
from scoremate_stack.stack import StackError

WEB_DIR = REPO_ROOT / "web"
# What a build reads (everything else in web/ is its output or npm's).
SOURCES = (
    "index.html",
    "admin",
    "docs",
    "src",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "vite.config.ts",
    "../docs/openapi.json",  # copied into the build as /openapi.json
)
# Written after a build that succeeded: the build's time, whatever the files' own times.
STAMP = Path("dist") / ".built"
# Vite's own floor (package.json "engines").
MIN_NODE = (20, 19)


def newest_source(web_dir: Path = WEB_DIR) -> float:
    """The newest modification time among the build's inputs."""
    times = []
    for name in SOURCES:
        path = web_dir / name
        if path.is_dir():
            times += [child.stat().st_mtime for child in path.rglob("*") if child.is_file()]
        elif path.exists():
            times.append(path.stat().st_mtime)
    return max(times, default=0.0)


def is_built(web_dir: Path = WEB_DIR) -> bool:
    stamp = web_dir / STAMP
    return stamp.exists() and stamp.stat().st_mtime >= newest_source(web_dir)


def _node_version() -> tuple[int, ...] | None:
    node = shutil.which("node")
    if node is None:
        return None
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.match(r"v(\d+)\.(\d+)", out.strip())
    return tuple(int(part) for part in found.groups()) if found else None


def _dependencies_current(web_dir: Path) -> bool:
    """node_modules installed from this package-lock.json (npm writes its copy there)."""
    installed = web_dir / "node_modules" / ".package-lock.json"
    lock = web_dir / "package-lock.json"
    return installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime


def _npm(args: list[str], web_dir: Path) -> None:
    result = subprocess.run(["npm", *args], cwd=web_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise StackError(f"npm {' '.join(args)} failed in {web_dir}:\n{tail}")


def build_web(web_dir: Path = WEB_DIR) -> bool:
    """Build web/dist unless it is current; True when it built."""
    if is_built(web_dir):
        return False
    version = _node_version()
    if version is None or shutil.which("npm") is None:
        raise StackError("the web app needs Node.js 20.19 or later and npm on the PATH (node --version)")
    if version < MIN_NODE:
        raise StackError(f"the web app needs Node.js 20.19 or later; this machine has {version}")
    print("building the web app (web/: npm ci, npm run build)", flush=True)
    if not _dependencies_current(web_dir):
        # Exactly the locked versions; no audit or funding calls to the registry.
        _npm(["ci", "--no-audit", "--no-fund"], web_dir)
    _npm(["run", "build"], web_dir)
    (web_dir / STAMP).touch()
    return True
