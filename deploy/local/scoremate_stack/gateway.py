"""The nginx gateway's configuration, rendered from deploy/nginx/nginx.conf.template."""

import re
from dataclasses import dataclass
from pathlib import Path

from scoremate_stack.config import REPO_ROOT, SERVICES, StackConfig

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "nginx.conf.template"


COMPOSE_CONFIG = REPO_ROOT / "deploy" / "compose" / "nginx.conf"
K8S_GATEWAY_CONFIG = REPO_ROOT / "deploy" / "k8s" / "base" / "nginx.conf"


@dataclass(frozen=True)
class GatewayPaths:
    """Where nginx writes: its pid file, the folder of its temp folders, its two logs."""

    pid_file: str
    temp_dir: str
    error_log: str
    access_log: str


# nginx:1.27 (compose) starts as root: the pid where its own configuration has it, the temp
# folders under /var/cache/nginx (its package creates that folder), logs to the container's
# output.
COMPOSE_PATHS = GatewayPaths(
    pid_file="/var/run/nginx.pid",
    temp_dir="/var/cache/nginx",
    error_log="stderr",
    access_log="/dev/stdout",
)
# nginxinc/nginx-unprivileged:1.27 (Kubernetes) on a read-only root file system: /tmp, an
# emptyDir, is all it may write, and where that image keeps its pid and temp folders too. That
# /tmp is the pod's own, shared with nobody (hence the noqa).
K8S_PATHS = GatewayPaths(
    pid_file="/tmp/nginx.pid",  # noqa: S108
    temp_dir="/tmp",  # noqa: S108
    error_log="stderr",
    access_log="/dev/stdout",
)
# S3 runs in the namespace of the external dependencies (deploy/k8s/base/settings.yaml):
# the gateway reaches it by that Service's name there, as the services do.
K8S_S3_UPSTREAM = "minio.scoremate-infra:9000"


def _fill(values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", fill, TEMPLATE.read_text())


def _trust(proxies: tuple[str, ...]) -> str:
    """nginx lines that take the client's address from X-Forwarded-For, only when one of these
    proxies (an ingress, a load balancer) sent it; from anyone else the header is ignored."""
    return "\n  ".join(f"set_real_ip_from {proxy};" for proxy in proxies) or "# no proxy in front"


def native_gateway_paths(cfg: StackConfig) -> GatewayPaths:
    nginx_dir = cfg.run_dir / "nginx"
    return GatewayPaths(
        pid_file=str(nginx_dir / "nginx.pid"),
        temp_dir=str(nginx_dir / "tmp"),
        error_log=str(cfg.log_dir / "gateway-error.log"),
        access_log=str(cfg.log_dir / "gateway-access.json"),
    )


def render_gateway_config(cfg: StackConfig) -> str:
    """The gateway of the native stack: every upstream on loopback. Loopback is trusted to name
    the client (X-Forwarded-For): the stack is reachable from this machine only, and its tests
    play clients from several addresses that way."""
    paths = native_gateway_paths(cfg)
    return _fill(
        {
            "trusted_proxies": _trust(("127.0.0.1",)),
            **vars(paths),
            "login_rate": str(cfg.login_rate_per_second),
            "login_burst": str(cfg.login_burst),
            "listen": f"127.0.0.1:{cfg.ports.gateway}",
            "upstream_s3": f"127.0.0.1:{cfg.ports.s3}",
            "s3_max_body": "210m",
            **{f"upstream_{name}": f"127.0.0.1:{port}" for name, port in cfg.ports.services.items()},
        }
    )


def _container_gateway_config(paths: GatewayPaths, upstream_s3: str, trusted_proxies: tuple[str, ...]) -> str:
    """The gateway in a container: upstreams by Service name, port 8000."""
    return _fill(
        {
            "trusted_proxies": _trust(trusted_proxies),
            **vars(paths),
            "login_rate": "10",
            "login_burst": "20",
            "listen": "8080",
            "upstream_s3": upstream_s3,
            "s3_max_body": "210m",
            **{f"upstream_{name}": f"{name}:8000" for name in SERVICES},
        }
    )


def render_compose_gateway_config() -> str:
    """The gateway of deploy/compose.yaml: clients connect to it directly, so no proxy is trusted
    to name them."""
    return _container_gateway_config(COMPOSE_PATHS, "minio:9000", ())


# Behind the Kubernetes ingress controller every client arrives from a pod address: trust the
# cluster's pod network (adjust to the cluster's CIDR, docs/OPERATIONS.md).
K8S_TRUSTED_PROXIES = ("10.0.0.0/8",)


def render_k8s_gateway_config() -> str:
    return _container_gateway_config(K8S_PATHS, K8S_S3_UPSTREAM, K8S_TRUSTED_PROXIES)


def write_gateway_config(cfg: StackConfig) -> Path:
    nginx_dir = cfg.run_dir / "nginx"
    # nginx creates the temp folders inside, not this one.
    Path(native_gateway_paths(cfg).temp_dir).mkdir(parents=True, exist_ok=True)
    path = nginx_dir / "nginx.conf"
    path.write_text(render_gateway_config(cfg))
    return path
