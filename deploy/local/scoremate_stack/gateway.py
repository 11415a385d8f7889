"""The nginx gateway's configuration, rendered from deploy/nginx/nginx.conf.template."""

import re
from pathlib import Path

from scoremate_stack.config import REPO_ROOT, StackConfig

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "nginx.conf.template"


COMPOSE_CONFIG = REPO_ROOT / "deploy" / "compose" / "nginx.conf"
K8S_GATEWAY_CONFIG = REPO_ROOT / "deploy" / "k8s" / "base" / "nginx.conf"


def _fill(values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", fill, TEMPLATE.read_text())


def _trust(proxies: tuple[str, ...]) -> str:
    """nginx lines that take the client's address from X-Forwarded-For, only when one of these
    proxies (an ingress, a load balancer) sent it; from anyone else the header is ignored."""
    return "\n  ".join(f"set_real_ip_from {proxy};" for proxy in proxies) or "# no proxy in front"


def render_gateway_config(cfg: StackConfig) -> str:
    """The gateway of the native stack: every upstream on loopback. Loopback is trusted to name
    the client (X-Forwarded-For): the stack is reachable from this machine only, and its tests
    play clients from several addresses that way."""
    return _fill(
        {
            "trusted_proxies": _trust(("127.0.0.1",)),
            "run_dir": str(cfg.run_dir),
            "log_dir": str(cfg.log_dir),
            "login_rate": str(cfg.login_rate_per_second),
            "login_burst": str(cfg.login_burst),
            "listen": f"127.0.0.1:{cfg.ports.gateway}",
            "upstream_s3": f"127.0.0.1:{cfg.ports.s3}",
            "s3_max_body": "210m",
            **{f"upstream_{name}": f"127.0.0.1:{port}" for name, port in cfg.ports.services.items()},
        }
    )


def render_compose_gateway_config(trusted_proxies: tuple[str, ...] = ()) -> str:
    """The same gateway for deploy/compose.yaml: upstreams by service name, port 8000; clients
    connect to it directly, so no proxy is trusted to name them."""
    return _fill(
        {
            "trusted_proxies": _trust(trusted_proxies),
            "run_dir": "/var/cache",
            "log_dir": "/var/log/nginx",
            "login_rate": "10",
            "login_burst": "20",
            "listen": "8080",
            "upstream_s3": "minio:9000",
            "s3_max_body": "210m",
            **{
                f"upstream_{name}": f"{name}:8000"
                for name in ("auth", "files", "library", "processor", "billing")
            },
        }
    )


# Behind the Kubernetes ingress controller every client arrives from a pod address: trust the
# cluster's pod network (adjust to the cluster's CIDR, docs/OPERATIONS.md).
K8S_TRUSTED_PROXIES = ("10.0.0.0/8",)


def render_k8s_gateway_config() -> str:
    return render_compose_gateway_config(K8S_TRUSTED_PROXIES)


def write_gateway_config(cfg: StackConfig) -> Path:
    nginx_dir = cfg.run_dir / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    path = nginx_dir / "nginx.conf"
    path.write_text(render_gateway_config(cfg))
    return path
