"""The OpenTelemetry collector in front of Jaeger: its configuration keeps every error trace, and
compose and Kubernetes send the services' traces through it."""

from typing import Any

import yaml

from tests.deploy.manifests import render
from tests.support import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
COLLECTOR = DEPLOY / "otel" / "collector.yaml"


def _collector() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(COLLECTOR.read_text())
    return config


def test_the_collector_configuration_keeps_every_error_trace():
    config = _collector()
    pipeline = config["service"]["pipelines"]["traces"]
    assert "otlp" in pipeline["receivers"]
    assert "tail_sampling" in pipeline["processors"]
    # memory_limiter first, batching after the sampling decision.
    assert pipeline["processors"][0] == "memory_limiter"
    assert pipeline["processors"].index("tail_sampling") < pipeline["processors"].index("batch")
    policies = config["processors"]["tail_sampling"]["policies"]
    errors = [p for p in policies if p["type"] == "status_code"]
    assert errors, "no status_code policy"
    assert errors[0]["status_code"]["status_codes"] == ["ERROR"]
    # Policies are alternatives (a trace is kept when any keeps it): none may be an `and` that
    # would make the error policy conditional.
    assert all(p["type"] != "and" for p in policies)
    [exporter] = pipeline["exporters"]
    assert exporter.startswith("otlp")
    assert config["exporters"][exporter]["endpoint"] == "${env:JAEGER_OTLP_ENDPOINT}"


def test_compose_sends_every_trace_through_the_collector_to_jaeger():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    collector = compose["otel-collector"]
    image = collector["image"]
    assert image.startswith("otel/opentelemetry-collector-contrib:")  # tail_sampling is in contrib
    assert image.rsplit(":", 1)[1][0].isdigit(), "pin the collector's version"
    assert collector["environment"]["JAEGER_OTLP_ENDPOINT"] == "jaeger:4317"
    assert "./otel/collector.yaml:/etc/otelcol-contrib/config.yaml:ro" in collector["volumes"]
    env = dict(
        line.split("=", 1)
        for line in (REPO_ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"


def test_kubernetes_runs_the_collector_the_services_export_to():
    documents = render("production")
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in documents}
    settings = by_kind[("ConfigMap", "scoremate-settings")]["data"]
    assert settings["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    service = by_kind[("Service", "otel-collector")]
    assert {p["port"] for p in service["spec"]["ports"]} >= {4317, 4318}
    deployment = by_kind[("Deployment", "otel-collector")]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"].startswith("otel/opentelemetry-collector-contrib:")
    assert ":latest" not in container["image"]
    # Tail sampling needs every span of a trace in one collector.
    assert deployment["spec"]["replicas"] == 1
    [volume] = pod["volumes"]
    config_map = by_kind[("ConfigMap", volume["configMap"]["name"])]
    assert yaml.safe_load(config_map["data"]["collector.yaml"]) == _collector()
    [mount] = container["volumeMounts"]
    assert any(arg == f"--config={mount['mountPath']}/collector.yaml" for arg in container["args"])
