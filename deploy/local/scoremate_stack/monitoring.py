"""The stack's Prometheus (Debian's `prometheus` package): its configuration is rendered into the
run folder at every start; it scrapes every running service instance, RabbitMQ and itself, and
evaluates the alert rules of deploy/prometheus/alerts.yml."""

import json
from pathlib import Path

from scoremate_stack.config import REPO_ROOT, SERVICES, StackConfig

PROMETHEUS_BIN = Path("/usr/bin/prometheus")
PROMTOOL_BIN = Path("/usr/bin/promtool")
ALERT_RULES = REPO_ROOT / "deploy" / "prometheus" / "alerts.yml"


def prometheus_dir(cfg: StackConfig) -> Path:
    return cfg.run_dir / "prometheus"


def service_targets_file(cfg: StackConfig) -> Path:
    return prometheus_dir(cfg) / "targets" / "services.json"


def service_instance(name: str) -> tuple[str, int] | None:
    """("files", 2) for the process name "files-2"; None for a process that is not a service."""
    service, _, number = name.partition("-")
    if service not in SERVICES or (number and not number.isdigit()):
        return None
    return service, int(number or 1)


def write_service_targets(cfg: StackConfig, instances: list[tuple[str, int]]) -> None:
    """The service instances to scrape, as a file Prometheus watches (file_sd): an instance started
    or stopped later is picked up without a restart. Each target carries a `service` label, as the
    Prometheus Operator's ServiceMonitors and compose's relabelling give it."""
    groups = [
        {"targets": [f"127.0.0.1:{cfg.service_port(service, instance)}"], "labels": {"service": service}}
        for service, instance in sorted(instances)
    ]
    path = service_targets_file(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: Prometheus never reads half a file.
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(groups, indent=2) + "\n")
    partial.replace(path)


def render_prometheus_config(cfg: StackConfig) -> str:
    interval = cfg.scrape_interval_seconds
    # A scrape may not outlast its interval; /metrics waits up to 2 s for the broker's queue depths.
    timeout = min(interval, 10)
    return f"""# Rendered by deploy/local/scoremate_stack/monitoring.py at every start: edit that, not this.
global:
  scrape_interval: {interval}s
  scrape_timeout: {timeout}s
  evaluation_interval: {interval}s
rule_files:
  - {ALERT_RULES}
scrape_configs:
  - job_name: scoremate
    metrics_path: /metrics
    file_sd_configs:
      - files: [{service_targets_file(cfg)}]
  - job_name: rabbitmq
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:{cfg.ports.amqp_metrics}"]
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:{cfg.ports.prometheus}"]
"""


def write_prometheus_config(cfg: StackConfig, instances: list[tuple[str, int]]) -> Path:
    d = prometheus_dir(cfg)
    (d / "data").mkdir(parents=True, exist_ok=True)
    write_service_targets(cfg, instances)
    path = d / "prometheus.yml"
    path.write_text(render_prometheus_config(cfg))
    return path


def prometheus_argv(cfg: StackConfig) -> list[str]:
    d = prometheus_dir(cfg)
    return [
        str(PROMETHEUS_BIN),
        f"--config.file={d / 'prometheus.yml'}",
        f"--storage.tsdb.path={d / 'data'}",
        "--storage.tsdb.retention.time=15d",
        f"--web.listen-address=127.0.0.1:{cfg.ports.prometheus}",
    ]


K8S_BASE = REPO_ROOT / "deploy" / "k8s" / "base"
K8S_ALERT_RULES = K8S_BASE / "alerts.yaml"
COLLECTOR_CONFIG = REPO_ROOT / "deploy" / "otel" / "collector.yaml"
DASHBOARDS = REPO_ROOT / "deploy" / "grafana" / "dashboards"


def render_k8s_alert_rules() -> str:
    """deploy/prometheus/alerts.yml as the Prometheus Operator's PrometheusRule: the same groups
    under `spec`."""
    text = ALERT_RULES.read_text()
    groups = text[text.index("\ngroups:") + 1 :]
    indented = "".join(f"  {line}" if line.strip() else line for line in groups.splitlines(keepends=True))
    return (
        "# Rendered from deploy/prometheus/alerts.yml by `python -m scoremate_stack\n"
        "# render-k8s-observability`: edit that file, then render. A Prometheus loads only the rules\n"
        "# its ruleSelector matches (kube-prometheus-stack: `release: <its release>`): label it in\n"
        "# the overlay (docs/OPERATIONS.md).\n"
        "apiVersion: monitoring.coreos.com/v1\n"
        "kind: PrometheusRule\n"
        "metadata:\n"
        "  name: scoremate\n"
        "spec:\n"
        f"{indented}"
    )


def k8s_observability_files() -> dict[Path, str]:
    """What deploy/k8s/base holds of the observability configuration, by path: the alert rules
    rendered, the collector's configuration and the dashboards copied (kustomize reads files only
    below the kustomization)."""
    copies = {K8S_BASE / "observability" / "collector.yaml": COLLECTOR_CONFIG.read_text()}
    for dashboard in sorted(DASHBOARDS.glob("*.json")):
        copies[K8S_BASE / "observability" / dashboard.name] = dashboard.read_text()
    return {K8S_ALERT_RULES: render_k8s_alert_rules(), **copies}
