"""Just enough of kustomize to render our base and overlays offline (no kustomize binary here):
resources, namespace, labels, images, configMapGenerator and strategic-merge patches of
scalar fields. Anything else in a kustomization is refused, so the renderer cannot silently
diverge from what kustomize would do."""

from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "labels",
    "images",
    "configMapGenerator",
    "patches",
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def render(directory: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise ValueError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    documents: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        path = (directory / resource).resolve()
        if path.is_dir():
            documents.extend(render(path))
        else:
            documents.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    for generator in kustomization.get("configMapGenerator", []):
        data = {Path(f).name: (directory / f).read_text() for f in generator["files"]}
        documents.append(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data}
        )
    for patch_ref in kustomization.get("patches", []):
        patch = yaml.safe_load((directory / patch_ref["path"]).read_text())
        targets = [
            d
            for d in documents
            if d["kind"] == patch["kind"] and d["metadata"]["name"] == patch["metadata"]["name"]
        ]
        if len(targets) != 1:
            raise ValueError(f"patch {patch_ref['path']} matches {len(targets)} resources")
        _merge(targets[0], {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")})
    for label in kustomization.get("labels", []):
        for document in documents:
            document["metadata"].setdefault("labels", {}).update(label["pairs"])
    namespace = kustomization.get("namespace")
    if namespace:
        for document in documents:
            if document["kind"] not in CLUSTER_SCOPED:
                document["metadata"]["namespace"] = namespace
    for image in kustomization.get("images", []):
        for document in documents:
            spec = document.get("spec", {}).get("template", {}).get("spec", {})
            for container in spec.get("containers", []):
                if container["image"].split(":")[0] == image["name"]:
                    container["image"] = f"{image['name']}:{image['newTag']}"
    return documents
