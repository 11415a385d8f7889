"""Every image named anywhere is pinned to a version, and the images the production overlay
runs are the ones `make images` builds."""

import re
import subprocess

import pytest
import yaml

from scoremate_stack.config import SERVICES
from tests.deploy.manifests import render
from tests.support import REPO_ROOT


def _pinned(reference: str) -> bool:
    """A tag that names a version: not absent, not `latest`, with a digit in it."""
    name = reference.split("@", 1)[0]
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    return tag != "latest" and any(c.isdigit() for c in tag)


def _named_images() -> dict[str, str]:
    """image -> where it is named."""
    named: dict[str, str] = {}
    compose = yaml.safe_load((REPO_ROOT / "deploy" / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        if "image" in service:
            named[service["image"]] = f"compose.yaml {name}"
    for overlay in ("dev", "production"):
        for document in render(overlay):
            pod = document.get("spec", {}).get("template", {}).get("spec", {})
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                named[container["image"]] = f"k8s {overlay} {document['metadata']['name']}"
    for service in SERVICES:
        dockerfile = (REPO_ROOT / "services" / service / "Dockerfile").read_text()
        stages = set(re.findall(r"^FROM \S+ AS (\S+)", dockerfile, re.MULTILINE | re.IGNORECASE))
        for reference in re.findall(r"^FROM (\S+)|--from=(\S+)", dockerfile, re.MULTILINE):
            image = reference[0] or reference[1]
            if image not in stages:
                named[image] = f"services/{service}/Dockerfile"
    return named


def test_every_image_named_in_compose_kubernetes_and_the_dockerfiles_is_pinned_to_a_version():
    named = _named_images()
    assert len(named) >= 10, named
    unpinned = {image: where for image, where in named.items() if not _pinned(image)}
    assert not unpinned, unpinned
    minio = [image for image in named if image.split(":")[0].endswith("minio/minio")]
    assert minio
    assert all(":RELEASE." in image for image in minio), minio


def test_the_version_rule_refuses_latest_and_missing_tags():
    assert not _pinned("minio/minio:latest")
    assert not _pinned("minio/minio")
    assert not _pinned("registry.example:5000/scoremate/auth")
    assert _pinned("registry.example:5000/scoremate/auth:1.0.0")
    assert _pinned("quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z")


def test_make_images_builds_every_image_the_production_overlay_runs():
    try:
        dry_run = subprocess.run(
            ["make", "-n", "-s", "images"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout
    except FileNotFoundError:
        pytest.skip("make is not installed")
    built = dict(re.findall(r"build -f (services/\w+/Dockerfile) -t (\S+) \.$", dry_run, re.MULTILINE))
    production = {
        container["image"]
        for document in render("production")
        if document["kind"] == "Deployment"
        for container in document["spec"]["template"]["spec"]["containers"]
        if container["image"].startswith("scoremate/")
    }
    assert set(built.values()) == production
    assert set(built) == {f"services/{service}/Dockerfile" for service in SERVICES}
    for dockerfile, image in built.items():
        assert dockerfile.split("/")[1] == image.split("/")[1].split(":")[0]
