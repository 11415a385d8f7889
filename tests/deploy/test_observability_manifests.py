"""Monitoring in compose and Kubernetes: a ServiceMonitor per service, the alert rules as a
PrometheusRule, the dashboards as a ConfigMap and in compose's Grafana (UI on this machine only),
and the copies under deploy/k8s/base current."""

import json
import re
from typing import Any

import pytest
import yaml

from scoremate_stack.config import SERVICES
from scoremate_stack.monitoring import ALERT_RULES, k8s_observability_files
from tests.deploy.manifests import render
from tests.support import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))


def test_the_kubernetes_copies_are_current():
    """Run `python -m scoremate_stack render-k8s-observability` after changing the alert rules,
    the collector's configuration or a dashboard."""
    for path, rendered in k8s_observability_files().items():
        assert path.read_text() == rendered, f"{path} is stale"


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_a_service_monitor_scrapes_each_service_on_its_metrics_port(overlay: str):
    documents = render(overlay)
    services = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Service"}
    monitors = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ServiceMonitor"}
    assert set(monitors) == set(SERVICES)
    for name, monitor in monitors.items():
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        selector = monitor["spec"]["selector"]["matchLabels"]
        service = services[name]
        assert selector.items() <= service["metadata"]["labels"].items(), name
        port_names = {port["name"] for port in service["spec"]["ports"]}
        [endpoint] = monitor["spec"]["endpoints"]
        assert endpoint["port"] in port_names, name
        assert endpoint["path"] == "/metrics"


def test_kubernetes_gets_the_alert_rules_as_a_prometheus_rule():
    [rule] = [d for d in render("production") if d["kind"] == "PrometheusRule"]
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["spec"]["groups"] == yaml.safe_load(ALERT_RULES.read_text())["groups"]


def test_kubernetes_gets_every_dashboard_as_a_config_map_for_grafana():
    documents = render("production")
    config_maps = [d for d in documents if d["kind"] == "ConfigMap"]
    [config_map] = [d for d in config_maps if "grafana_dashboard" in d["metadata"].get("labels", {})]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["name"] == "scoremate-dashboards"  # no hash suffix: never two copies
    assert {name: json.loads(text) for name, text in config_map["data"].items()} == {
        path.name: json.loads(path.read_text()) for path in DASHBOARDS
    }


def _compose() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    return services


def test_compose_provisions_grafana_with_the_dashboards_on_this_machine_only():
    grafana = _compose()["grafana"]
    image, tag = grafana["image"].rsplit(":", 1)
    assert image == "grafana/grafana"
    assert tag[0].isdigit(), "pin Grafana's version"
    assert tag.count(".") == 2, "pin Grafana's version"
    assert grafana["ports"] == ["127.0.0.1:3000:3000"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in grafana["volumes"]}
    provisioning = DEPLOY / mounts["/etc/grafana/provisioning"]
    [provider] = yaml.safe_load((provisioning / "dashboards" / "scoremate.yml").read_text())["providers"]
    assert (DEPLOY / mounts[provider["options"]["path"]]).resolve() == (DEPLOY / "grafana" / "dashboards")
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    [datasource] = datasources["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert datasource["isDefault"] is True


def test_compose_prometheus_loads_the_alert_rules_and_scrapes_the_broker():
    prometheus = _compose()["prometheus"]
    assert "./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prometheus["volumes"]
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]
    relabel = {"source_labels": ["__meta_dns_name"], "target_label": "service"}
    assert relabel in jobs["scoremate"]["relabel_configs"]
    [names] = [discovery["names"] for discovery in jobs["scoremate"]["dns_sd_configs"]]
    assert sorted(names) == sorted(SERVICES)


def test_the_target_down_alert_covers_every_service():
    [rule] = [
        rule
        for group in yaml.safe_load(ALERT_RULES.read_text())["groups"]
        for rule in group["rules"]
        if rule.get("alert") == "ScoreMateTargetDown"
    ]
    [pattern] = re.findall(r'up\{service=~"([^"]+)"\}', rule["expr"])
    assert sorted(pattern.split("|")) == sorted(SERVICES)
