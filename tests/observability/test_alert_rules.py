"""The alert rules: valid for Prometheus (`promtool check rules`), each firing on its trouble and
quiet otherwise (`promtool test rules`), naming only metrics the services export; the
Prometheus configurations that load them are valid too."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scoremate_stack import StackConfig
from scoremate_stack.monitoring import ALERT_RULES, render_prometheus_config, write_service_targets
from tests.observability.promql import PROMETHEUS_OWN, exported_series_names, metric_names
from tests.support import REPO_ROOT

PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed: `make install` installs Debian's prometheus package")
    return path


def _run(*argv: str, cwd: Path = PROMETHEUS_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERT_RULES.read_text())["groups"] for rule in group["rules"]]


def test_promtool_checks_the_alert_rules():
    result = _run(promtool(), "check", "rules", str(ALERT_RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout


def test_promtool_unit_tests_of_the_alert_rules_pass():
    result = _run(promtool(), "test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_the_issue_asks_for_exists_and_is_unit_tested():
    alerts = {rule["alert"] for rule in _rules()}
    asked = {
        "ScoreMateOutboxStuck",
        "ScoreMateQueueBacklog",
        "ScoreMateDeadLetters",
        "ScoreMateHigh5xxRate",
        "ScoreMateJobsFailing",
        "ScoreMateUsageWebhookFailing",
    }
    assert asked <= alerts
    tested = {
        case["alertname"]
        for test in yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert tested == alerts, f"alerts without a test that makes them fire: {alerts - tested}"


def test_alert_rules_name_only_metrics_the_services_export():
    exported = exported_series_names() | PROMETHEUS_OWN
    for rule in _rules():
        named = metric_names(rule["expr"])
        assert named, rule["alert"]
        assert named <= exported, (rule["alert"], named - exported)


def test_the_prometheus_configurations_are_valid(tmp_path: Path):
    """compose's (with the rules where its container mounts them) and the one `make up` renders."""
    shutil.copy(ALERT_RULES, tmp_path / "alerts.yml")
    compose = (PROMETHEUS_DIR / "prometheus.yml").read_text()
    assert "/etc/prometheus/alerts.yml" in compose
    compose = compose.replace("/etc/prometheus/alerts.yml", str(tmp_path / "alerts.yml"))
    (tmp_path / "compose.yml").write_text(compose)
    result = _run(promtool(), "check", "config", str(tmp_path / "compose.yml"))
    assert result.returncode == 0, result.stdout + result.stderr

    cfg = StackConfig.dev()
    native = tmp_path / "native.yml"
    native.write_text(render_prometheus_config(cfg))
    result = _run(promtool(), "check", "config", str(native))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"127.0.0.1:{cfg.ports.amqp_metrics}" in native.read_text()


def test_the_native_scrape_targets_name_every_running_instance(tmp_path: Path):
    cfg = StackConfig.for_tests(tmp_path)
    write_service_targets(cfg, [("files", 1), ("files", 2), ("auth", 1)])
    groups = yaml.safe_load((tmp_path / "prometheus" / "targets" / "services.json").read_text())
    assert {(g["labels"]["service"], g["targets"][0]) for g in groups} == {
        ("auth", f"127.0.0.1:{cfg.service_port('auth')}"),
        ("files", f"127.0.0.1:{cfg.service_port('files')}"),
        ("files", f"127.0.0.1:{cfg.service_port('files', 2)}"),
    }
