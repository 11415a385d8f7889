"""The nginx gateway's configuration, rendered from deploy/nginx/nginx.conf.template."""

import re
from dataclasses import dataclass
from pathlib import Path

from scoremate_stack.config import (
    DEFAULT_CORS_MAX_AGE_SECONDS,
    REPO_ROOT,
    SERVICES,
    StackConfig,
    check_cors_origins,
)

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


# Repeated in each location that has add_header lines of its own (nginx then drops the server's).
_CORS_RESPONSE_HEADERS = (
    "add_header Access-Control-Allow-Origin $cors_origin always;\n"
    "      add_header Access-Control-Expose-Headers $cors_expose_headers always;\n"
    '      add_header Vary "{vary}" always;'
)


def _cors(origins: tuple[str, ...], max_age_seconds: int) -> dict[str, str]:
    """The CORS parts of the configuration: the allowed origins as `map` lines (checked to be bare
    origins by StackConfig), and `Vary: Origin` only when some origin is allowed."""
    vary = "Origin" if check_cors_origins(origins) else ""
    return {
        "cors_origins": "\n".join(f'    "{origin}" $http_origin;' for origin in origins)
        or "    # none: no browser may call the API",
        "cors_vary": vary,
        "cors_max_age": str(max_age_seconds),
        "cors_response_headers": _CORS_RESPONSE_HEADERS.format(vary=vary),
    }


# The built web app (web/dist, `npm run build`): natively the repository's folder; in a container
# this folder, which an image or a volume provides (docs/OPERATIONS.md, "The web app").
WEB_DIST = REPO_ROOT / "web" / "dist"
CONTAINER_WEB_ROOT = "/usr/share/scoremate/web"
# The pages load and call nothing but this gateway: scripts, styles and images of their own
# origin (the covers too: presigned URLs under /s3/), no inline code, no frames.
WEB_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API reference (/docs) runs Swagger UI, which sets styles inline and draws its icons as data:
# images; still nothing from another origin.
DOCS_CONTENT_SECURITY_POLICY = WEB_CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
).replace("img-src 'self'", "img-src 'self' data:")
# The pages' headers (their locations add headers of their own, so the CORS ones come again):
# revalidated on every load, so a new build shows at once (their files under /assets/ are
# immutable, named by content).
_PAGE_HEADERS = (
    "types {{ text/html html; }}\n"
    "      charset utf-8;\n"
    '      add_header Cache-Control "no-cache" always;\n'
    '      add_header Content-Security-Policy "{csp}" always;\n'
    "      add_header X-Content-Type-Options nosniff always;\n"
    "      add_header Referrer-Policy no-referrer always;\n"
    "      add_header X-Request-ID $req_id always;\n"
    "      {cors}"
)


def _web(root: str, cors: dict[str, str]) -> dict[str, str]:
    def headers(csp: str) -> str:
        return _PAGE_HEADERS.format(csp=csp, cors=cors["cors_response_headers"])

    return {
        "web_root": root,
        "web_page_headers": headers(WEB_CONTENT_SECURITY_POLICY),
        "docs_page_headers": headers(DOCS_CONTENT_SECURITY_POLICY),
    }


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
    cors = _cors(cfg.cors_origins, cfg.cors_max_age_seconds)
    return _fill(
        {
            "trusted_proxies": _trust(("127.0.0.1",)),
            **vars(paths),
            "login_rate": str(cfg.login_rate_per_second),
            "login_burst": str(cfg.login_burst),
            "listen": f"127.0.0.1:{cfg.ports.gateway}",
            "upstream_s3": f"127.0.0.1:{cfg.ports.s3}",
            "s3_max_body": "210m",
            **cors,
            **_web(str(WEB_DIST), cors),
            **{f"upstream_{name}": f"127.0.0.1:{port}" for name, port in cfg.ports.services.items()},
        }
    )


def _container_gateway_config(
    paths: GatewayPaths, upstream_s3: str, trusted_proxies: tuple[str, ...], cors_origins: tuple[str, ...]
) -> str:
    """The gateway in a container: upstreams by Service name, port 8000."""
    cors = _cors(cors_origins, DEFAULT_CORS_MAX_AGE_SECONDS)
    return _fill(
        {
            "trusted_proxies": _trust(trusted_proxies),
            **vars(paths),
            "login_rate": "10",
            "login_burst": "20",
            "listen": "8080",
            "upstream_s3": upstream_s3,
            "s3_max_body": "210m",
            **cors,
            **_web(CONTAINER_WEB_ROOT, cors),
            **{f"upstream_{name}": f"{name}:8000" for name in SERVICES},
        }
    )


def render_compose_gateway_config(cors_origins: tuple[str, ...] = ()) -> str:
    """The gateway of deploy/compose.yaml: clients connect to it directly, so no proxy is trusted
    to name them. The committed file allows no CORS origin (render it with some for yours)."""
    return _container_gateway_config(COMPOSE_PATHS, "minio:9000", (), cors_origins)


# Behind the Kubernetes ingress controller every client arrives from a pod address: trust the
# cluster's pod network (adjust to the cluster's CIDR, docs/OPERATIONS.md).
K8S_TRUSTED_PROXIES = ("10.0.0.0/8",)


def render_k8s_gateway_config(cors_origins: tuple[str, ...] = ()) -> str:
    return _container_gateway_config(K8S_PATHS, K8S_S3_UPSTREAM, K8S_TRUSTED_PROXIES, cors_origins)


def write_gateway_config(cfg: StackConfig) -> Path:
    nginx_dir = cfg.run_dir / "nginx"
    # nginx creates the temp folders inside, not this one.
    Path(native_gateway_paths(cfg).temp_dir).mkdir(parents=True, exist_ok=True)
    path = nginx_dir / "nginx.conf"
    path.write_text(render_gateway_config(cfg))
    return path
