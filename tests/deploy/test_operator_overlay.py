"""The site overlay docs/OPERATIONS.md tells an operator to write ("From nothing to a running
cluster"), rendered by `kubectl kustomize` over a copy of deploy/: it replaces every
placeholder Secret, every Secret a workload reads exists with the keys it reads, and the images
come from the operator's registry."""

import base64
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from scoremate_stack.config import SERVICES
from tests.deploy.manifests import kubectl, render
from tests.support import REPO_ROOT

OPERATIONS = REPO_ROOT / "docs" / "OPERATIONS.md"
HEADING = "## From nothing to a running cluster"


def documented_site_overlay() -> str:
    """The first yaml block of that section of OPERATIONS.md."""
    section = OPERATIONS.read_text().split(HEADING, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, f"no yaml block under {HEADING!r} in {OPERATIONS}"
    return match.group(1)


PLACEHOLDER = "CHANGE-ME"


def _real(value: str) -> str:
    """A value an operator might write where the base has a placeholder."""
    return re.sub(rf"{PLACEHOLDER}[\w-]*", lambda _: secrets.token_hex(16), value)


def _secret_data(secret: dict[str, Any]) -> dict[str, str]:
    data = {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}
    return data | secret.get("stringData", {})


def _secret_references(documents: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    """(Secret, key or None for the whole Secret) of everything the workloads read."""
    references: set[tuple[str, str | None]] = set()
    for document in documents:
        pod = document.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    references.add((source["secretRef"]["name"], None))
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    references.add((ref["name"], ref["key"]))
        for target in document.get("spec", {}).get("secretTargetRef", []):  # KEDA
            references.add((target["name"], target["key"]))
    return references


def test_a_site_overlay_as_documented_replaces_every_placeholder_secret(tmp_path: Path):
    # The whole of deploy/: the base takes files from beside deploy/k8s too.
    shutil.copytree(
        REPO_ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns(".venv", "__pycache__")
    )
    site = tmp_path / "deploy" / "k8s" / "overlays" / "site"
    site.mkdir()
    kustomization = documented_site_overlay()
    (site / "kustomization.yaml").write_text(kustomization)
    production = render("production")
    placeholders = {d["metadata"]["name"]: d for d in production if d["kind"] == "Secret"}
    overlay = yaml.safe_load(kustomization)
    generators = overlay["secretGenerator"]
    assert {g["name"] for g in generators} == set(placeholders), "the overlay must replace every Secret"
    chosen: dict[str, dict[str, str]] = {}
    for generator in generators:
        assert generator["behavior"] == "replace"
        # What the operator writes: the same keys, real values where the placeholders were.
        values = {key: _real(value) for key, value in _secret_data(placeholders[generator["name"]]).items()}
        chosen[generator["name"]] = values
        [env_file] = generator["envs"]
        (site / env_file).write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    # Settings that are not secret but have no default the operator can keep: merged in.
    merged = {g["name"]: g for g in overlay.get("configMapGenerator", [])}
    for config_map in (d for d in production if d["kind"] == "ConfigMap"):
        name, data = config_map["metadata"]["name"], config_map.get("data", {})
        to_set = {key: _real(value) for key, value in data.items() if PLACEHOLDER in value}
        if not to_set:
            continue
        assert name in merged, f"the overlay must set {sorted(to_set)} of the ConfigMap {name}"
        assert merged[name]["behavior"] == "merge"
        [env_file] = merged[name]["envs"]
        (site / env_file).write_text("".join(f"{key}={value}\n" for key, value in to_set.items()))
    result = subprocess.run(
        [kubectl(), "kustomize", str(site)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    documents = [d for d in yaml.safe_load_all(result.stdout) if d]
    rendered = {d["metadata"]["name"]: _secret_data(d) for d in documents if d["kind"] == "Secret"}
    assert rendered == chosen
    assert PLACEHOLDER not in result.stdout
    for name, key in _secret_references(documents):
        assert name in rendered, name
        assert key is None or key in rendered[name], (name, key)
    images = {
        c["image"]
        for d in documents
        if d["kind"] == "Deployment"
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    ours = {image for image in images if "/scoremate/" in image}
    assert len(ours) == len(SERVICES)
    assert all(image.startswith("registry.example.com/scoremate/") for image in ours), ours
