"""Both overlays, rendered by `kubectl kustomize`, pass checkov's Kubernetes checks, but for the
findings waived with a reason in deploy/checkov/waivers.yaml. checkov lives in its own locked
project (deploy/checkov): in the workspace's lock its pins would downgrade the services' own
dependencies (urllib3 1.26 in the images)."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.manifests import render, rendered_yaml
from tests.support import REPO_ROOT

CHECKOV_PROJECT = REPO_ROOT / "deploy" / "checkov"
WAIVERS = CHECKOV_PROJECT / "waivers.yaml"


def _uv() -> str:
    found = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    assert Path(found).exists(), "uv is missing: `make sync` installs it"
    return found


def _checkov(files: list[Path]) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    # Offline: no guidelines or policies fetched from the vendor's platform.
    env["BC_SKIP_MAPPING"] = "TRUE"
    argv = [_uv(), "run", "--frozen", "--quiet", "--project", str(CHECKOV_PROJECT), "checkov"]
    for path in files:
        argv += ["--file", str(path)]
    argv += ["--framework", "kubernetes", "--skip-download", "--quiet", "--output", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, timeout=600)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"checkov printed no report:\n{result.stdout}\n{result.stderr}") from None
    [kubernetes] = [r for r in (report if isinstance(report, list) else [report])]
    assert kubernetes["check_type"] == "kubernetes"
    return kubernetes


def test_both_overlays_pass_checkov_but_for_the_waived_findings(tmp_path: Path):
    waivers = yaml.safe_load(WAIVERS.read_text())
    for check, reason in waivers.items():
        assert isinstance(reason, str), f"{check} needs a written reason"
        assert len(reason.split()) >= 10, f"{check} needs a written reason"
    files = []
    objects = 0
    for overlay in ("dev", "production"):
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(rendered_yaml(overlay))
        files.append(path)
        objects += len(render(overlay))
    report = _checkov(files)
    assert report["summary"]["parsing_errors"] == 0
    # Every object was read (checkov counts each Deployment's pod once more).
    assert report["summary"]["resource_count"] >= objects, report["summary"]
    failed = report["results"]["failed_checks"]
    unwaived = sorted(
        f"{f['check_id']} ({f['check_name']}): {Path(f['file_path']).stem} {f['resource']}"
        for f in failed
        if f["check_id"] not in waivers
    )
    assert not unwaived, "fix these in deploy/k8s or waive them with a reason:\n" + "\n".join(unwaived)
    stale = set(waivers) - {f["check_id"] for f in failed}
    assert not stale, f"waivers nothing triggers any more, remove them: {sorted(stale)}"
