"""`make up` and `make test` build the web app only when something it is built from changed, and
install its npm dependencies only when the lock file changed."""

import os
import stat
from pathlib import Path

import pytest

from scoremate_stack.config import StackConfig
from scoremate_stack.gateway import (
    CONTAINER_WEB_ROOT,
    WEB_DIST,
    render_compose_gateway_config,
    render_gateway_config,
    render_k8s_gateway_config,
)
from scoremate_stack.stack import StackError
from scoremate_stack.web import STAMP, build_web, is_built


def _age(path: Path, seconds_ago: float) -> None:
    when = path.stat().st_mtime - seconds_ago
    os.utime(path, (when, when))


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A web folder with its sources, and `node` and `npm` stand-ins that log each npm call and
    do what `npm ci` and `npm run build` leave behind."""
    web_dir = tmp_path / "web"
    (web_dir / "src").mkdir(parents=True)
    (web_dir / "src" / "main.tsx").write_text("export {};")
    (web_dir / "index.html").write_text("<!doctype html>")
    (web_dir / "package.json").write_text("{}")
    (web_dir / "package-lock.json").write_text("{}")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "npm.log"
    scripts = {
        "node": "#!/bin/sh\necho v20.20.2\n",
        "npm": (
            "#!/bin/sh\n"
            f'echo "$*" >> {log}\n'
            'if [ "$1" = ci ]; then mkdir -p node_modules && echo {} > node_modules/.package-lock.json; fi\n'
            'if [ "$1" = run ]; then mkdir -p dist && echo built > dist/index.html; fi\n'
        ),
    }
    for name, text in scripts.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    for path in web_dir.rglob("*"):
        _age(path, 60)
    return web_dir


def _npm_calls(web: Path) -> list[str]:
    log = web.parent / "npm.log"
    return log.read_text().splitlines() if log.exists() else []


def test_a_fresh_checkout_installs_then_builds(web: Path):
    assert not is_built(web)
    assert build_web(web)
    assert _npm_calls(web) == ["ci --no-audit --no-fund", "run build"]
    assert is_built(web)


def test_nothing_runs_while_the_build_is_newer_than_every_source(web: Path):
    build_web(web)
    assert not build_web(web)
    assert len(_npm_calls(web)) == 2


def test_a_changed_source_rebuilds_without_reinstalling(web: Path):
    build_web(web)
    _age(web / STAMP, 10)
    (web / "src" / "main.tsx").write_text("export const changed = true;")
    assert not is_built(web)
    assert build_web(web)
    assert _npm_calls(web)[2:] == ["run build"]


def test_a_changed_lock_file_installs_again(web: Path):
    build_web(web)
    _age(web / STAMP, 10)
    _age(web / "node_modules" / ".package-lock.json", 10)
    (web / "package-lock.json").write_text('{"changed": true}')
    assert build_web(web)
    assert _npm_calls(web)[2:] == ["ci --no-audit --no-fund", "run build"]


def test_an_old_node_is_refused_with_what_is_needed(web: Path):
    node = web.parent / "bin" / "node"
    node.write_text("#!/bin/sh\necho v18.19.0\n")
    with pytest.raises(StackError, match=r"Node\.js 20\.19"):
        build_web(web)


def test_the_gateway_serves_the_build_from_the_checkout_natively_and_a_fixed_folder_in_containers(
    tmp_path: Path,
):
    native = render_gateway_config(StackConfig.for_tests(tmp_path))
    assert f"root {WEB_DIST};" in native
    for container in (render_compose_gateway_config(), render_k8s_gateway_config()):
        assert f"root {CONTAINER_WEB_ROOT};" in container
        assert str(WEB_DIST) not in container
    # Exactly the pages and the assets' prefix: no fallback that could answer an API path.
    for location in (
        "location = / {",
        "location = /admin/ {",
        "location = /docs {",
        "location ^~ /assets/ {",
    ):
        assert location in native
    assert native.count("try_files") == 4
