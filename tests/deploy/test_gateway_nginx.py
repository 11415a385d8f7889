"""Every gateway configuration that ships passes `nginx -t`, and starts, where it runs: natively as
the stack runner starts it, in compose's nginx image, in Kubernetes' unprivileged nginx image as
each overlay deploys it (tests/deploy/nginx_images.py)."""

import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from scoremate_stack.config import StackConfig
from scoremate_stack.gateway import (
    CONTAINER_WEB_ROOT,
    K8S_S3_UPSTREAM,
    render_compose_gateway_config,
    render_k8s_gateway_config,
    write_gateway_config,
)
from tests.deploy.manifests import render
from tests.deploy.nginx_images import NGINX, GatewayContainer, require_sandbox, run_in_image
from tests.support import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
# What every cluster's DNS appends to a Service's name (the default cluster domain).
CLUSTER_DOMAIN = "svc.cluster.local"


def compose_gateway() -> GatewayContainer:
    """The gateway as `docker compose -f deploy/compose.yaml up` runs it."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    gateway = compose["services"]["gateway"]
    files = {}
    for volume in gateway.get("volumes", []):
        source, target = volume.split(":")[:2]
        if target == CONTAINER_WEB_ROOT:
            continue  # the built web app, a folder: nginx needs none of it to start
        files[target] = (DEPLOY / source).read_text()
    user = None
    if "user" in gateway:  # uid[:gid], numbers here
        uid, _, gid = str(gateway["user"]).partition(":")
        user = (int(uid), int(gid or 0))
    return GatewayContainer(
        image=gateway["image"],
        files=files,
        empty_dirs=[mount.split(":")[0] for mount in gateway.get("tmpfs", [])],
        user=user,
        read_only_root=gateway.get("read_only", False),
        # Compose's network resolves every service by its name.
        hosts=list(compose["services"]),
    )


def _cluster_names(service: str, namespace: str) -> list[str]:
    return [f"{service}.{namespace}", f"{service}.{namespace}.svc", f"{service}.{namespace}.{CLUSTER_DOMAIN}"]


def k8s_gateway(documents: list[dict[str, Any]]) -> GatewayContainer:
    """The gateway as an overlay deploys it: its image, mounts, user and root file system."""
    deployment = next(
        d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "gateway"
    )
    namespace = deployment["metadata"]["namespace"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    config_maps = {d["metadata"]["name"]: d["data"] for d in documents if d["kind"] == "ConfigMap"}
    files: dict[str, str] = {}
    empty_dirs: list[str] = []
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "configMap" in volume:
            data = config_maps[volume["configMap"]["name"]]
            if "subPath" in mount:
                files[mount["mountPath"]] = data[mount["subPath"]]
            else:
                files |= {f"{mount['mountPath']}/{key}": text for key, text in data.items()}
        elif "emptyDir" in volume:
            empty_dirs.append(mount["mountPath"])
        else:
            raise AssertionError(f"a volume this check does not model: {volume}")
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    # Without runAsGroup, Kubernetes runs the container with group 0.
    user = (security["runAsUser"], security.get("runAsGroup", 0)) if "runAsUser" in security else None
    # The cluster's DNS: this namespace's Services by their short names, any Service by
    # <name>.<namespace>, and the external dependencies the Secrets name (<name>.<namespace>).
    hosts: list[str] = []
    for document in documents:
        if document["kind"] == "Service":
            name, its_namespace = document["metadata"]["name"], document["metadata"]["namespace"]
            hosts += ([name] if its_namespace == namespace else []) + _cluster_names(name, its_namespace)
    for url in _secret_urls(documents):
        host = urlsplit(url).hostname or ""
        if host.count(".") == 1:
            hosts += _cluster_names(*host.split("."))
    return GatewayContainer(
        image=container["image"],
        files=files,
        empty_dirs=empty_dirs,
        user=user,
        read_only_root=security.get("readOnlyRootFilesystem", False),
        hosts=sorted(set(hosts)),
    )


def _secret_urls(documents: list[dict[str, Any]]) -> list[str]:
    values = [v for d in documents if d["kind"] == "Secret" for v in d.get("stringData", {}).values()]
    return [value for value in values if "://" in value]


def _assert_runs(container: GatewayContainer, workdir: Path) -> None:
    result = run_in_image(container, workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test is successful" in result.stderr
    assert "nginx started" in result.stdout


def test_the_native_gateway_passes_nginx_t_as_the_stack_runner_starts_it(tmp_path: Path):
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing: `make install` installs Debian's nginx")
    cfg = StackConfig.for_tests(tmp_path)
    conf = write_gateway_config(cfg)
    cfg.log_dir.mkdir(parents=True)
    argv = [str(NGINX), "-p", str(conf.parent), "-c", str(conf), "-e", str(cfg.log_dir / "gateway-error.log")]
    check = subprocess.run([*argv, "-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def test_the_compose_gateway_passes_nginx_t_and_starts_in_its_image(tmp_path: Path):
    gateway = compose_gateway()
    assert gateway.files["/etc/nginx/nginx.conf"] == render_compose_gateway_config()
    _assert_runs(gateway, tmp_path)


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_the_kubernetes_gateway_passes_nginx_t_and_starts_in_its_image(overlay: str, tmp_path: Path):
    gateway = k8s_gateway(render(overlay))
    assert gateway.files["/etc/nginx/nginx.conf"] == render_k8s_gateway_config()
    assert gateway.read_only_root
    assert gateway.user is not None
    assert gateway.user[0] != 0
    _assert_runs(gateway, tmp_path)


def test_the_kubernetes_gateway_reaches_s3_where_the_services_do():
    documents = render("production")
    endpoints = [url for url in _secret_urls(documents) if url.startswith("http") and ":9000" in url]
    assert [urlsplit(url).netloc for url in endpoints] == [K8S_S3_UPSTREAM]
    assert f"upstream s3 {{ server {K8S_S3_UPSTREAM};" in render_k8s_gateway_config()


# The check itself must catch what broke the gateways before: a temp folder under a folder the
# image lacks, an upstream name the platform does not resolve, a pid file nginx may not write.
BROKEN = {
    "a temp folder without its parent": (
        ("/tmp/client_temp", "/var/cache/nginx/tmp/body"),
        'mkdir() "/var/cache/nginx/tmp/body" failed',
    ),
    "S3 by a name of another namespace": ((K8S_S3_UPSTREAM, "minio:9000"), "host not found in upstream"),
    "a pid file on the read-only root": (
        ("pid /tmp/nginx.pid", "pid /var/cache/nginx/nginx.pid"),
        'open() "/var/cache/nginx/nginx.pid" failed',
    ),
}


@pytest.mark.parametrize("breakage", list(BROKEN))
def test_the_image_check_fails_a_gateway_that_would_not_start(breakage: str, tmp_path: Path):
    require_sandbox()
    (old, new), error = BROKEN[breakage]
    gateway = k8s_gateway(render("production"))
    config = gateway.files["/etc/nginx/nginx.conf"]
    assert old in config
    gateway.files["/etc/nginx/nginx.conf"] = config.replace(old, new)
    result = run_in_image(gateway, tmp_path)
    assert result.returncode != 0
    assert error in result.stderr, result.stderr
