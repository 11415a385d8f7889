"""The Kubernetes manifests an operator applies: each overlay rendered by the real kustomize
(`kubectl kustomize`, kustomize v5 inside kubectl 1.27 and later)."""

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import REPO_ROOT

OVERLAYS = REPO_ROOT / "deploy" / "k8s" / "overlays"
NO_KUBECTL = (
    "kubectl is not installed: the Kubernetes checks render with `kubectl kustomize` "
    "(README: Deploying elsewhere)"
)


def kubectl() -> str:
    """The kubectl binary; the test that needs it is skipped (with the reason) where it is absent."""
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip(NO_KUBECTL)
    return path


@functools.cache
def _rendered_text(overlay: Path) -> str:
    result = subprocess.run(
        [kubectl(), "kustomize", str(overlay)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    return result.stdout


def rendered_yaml(overlay: str) -> str:
    """The overlay as `kubectl kustomize deploy/k8s/overlays/<overlay>` prints it."""
    return _rendered_text(OVERLAYS / overlay)


def render(overlay: str | Path) -> list[dict[str, Any]]:
    """Every object of one overlay (a name under deploy/k8s/overlays, or its folder)."""
    folder = overlay if isinstance(overlay, Path) else OVERLAYS / overlay
    return [d for d in yaml.safe_load_all(_rendered_text(folder.resolve())) if d]
