"""The nginx gateway's configuration, rendered from deploy/nginx/nginx.conf.template."""

import re
from pathlib import Path

from scoremate_stack.config import REPO_ROOT, StackConfig

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "nginx.conf.template"


def render_gateway_config(cfg: StackConfig) -> str:
    values = {
        "run_dir": str(cfg.run_dir),
        "log_dir": str(cfg.log_dir),
        "login_rate": str(cfg.login_rate_per_second),
        "login_burst": str(cfg.login_burst),
        "port_gateway": str(cfg.ports.gateway),
        "port_s3": str(cfg.ports.s3),
        "s3_max_body": "210m",
        **{f"port_{name}": str(port) for name, port in cfg.ports.services.items()},
    }

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", fill, TEMPLATE.read_text())


def write_gateway_config(cfg: StackConfig) -> Path:
    nginx_dir = cfg.run_dir / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    path = nginx_dir / "nginx.conf"
    path.write_text(render_gateway_config(cfg))
    return path
