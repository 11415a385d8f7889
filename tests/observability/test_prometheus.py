"""The stack's own Prometheus (`make up` runs the same): every service instance and the broker are
targets and up, the alert rules are loaded, every dashboard query runs, and the processor's jobs
are counted by outcome."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from scoremate_stack.config import SERVICES
from tests.observability.test_dashboards import queries
from tests.support import CORPUS, ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


async def _answer(stack, path: str, **params: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.cfg.prometheus_url, timeout=10) as client:
        response = await client.get(path, params=params)
    body: dict[str, Any] = response.json()
    return body


async def _api(stack, path: str, **params: str) -> Any:
    body = await _answer(stack, path, **params)
    assert body["status"] == "success", (path, params, body)
    return body["data"]


def _expected_targets(stack) -> set[tuple[str, str, str]]:
    """(job, service, instance) of every process that serves /metrics."""
    cfg = stack.cfg
    services = {
        ("scoremate", service, f"127.0.0.1:{cfg.service_port(service, instance)}")
        for service, instance in stack.service_instances()
    }
    return services | {
        ("rabbitmq", "", f"127.0.0.1:{cfg.ports.amqp_metrics}"),
        ("prometheus", "", f"127.0.0.1:{cfg.ports.prometheus}"),
    }


async def _targets_when_all_up(stack, timeout: float = 45) -> list[dict[str, Any]]:
    """The active targets once they are the expected ones and each was scraped successfully."""
    deadline = time.monotonic() + timeout
    while True:
        targets = (await _api(stack, "/api/v1/targets", state="active"))["activeTargets"]
        labels = [t["labels"] for t in targets]
        seen = {(label["job"], label.get("service", ""), label["instance"]) for label in labels}
        if seen == _expected_targets(stack) and all(t["health"] == "up" for t in targets):
            return targets
        if time.monotonic() > deadline:
            health = {(t["labels"]["instance"], t["health"], t["lastError"]) for t in targets}
            raise AssertionError(f"targets {seen} ({health}); expected all up: {_expected_targets(stack)}")
        await asyncio.sleep(0.5)


async def test_prometheus_scrapes_every_service_and_the_broker_and_all_are_up(stack):
    targets = await _targets_when_all_up(stack)
    scraped = {t["labels"]["service"] for t in targets if t["labels"]["job"] == "scoremate"}
    assert scraped == set(SERVICES)
    assert [t["scrapeUrl"] for t in targets if t["labels"]["job"] == "rabbitmq"] == [
        f"http://127.0.0.1:{stack.cfg.ports.amqp_metrics}/metrics"
    ]
    # The broker's own series (rabbitmq_prometheus), stored under the job.
    up = await _api(stack, "/api/v1/query", query='rabbitmq_build_info{job="rabbitmq"}')
    assert up["result"], "no series from RabbitMQ's metrics endpoint"


async def test_a_service_instance_started_later_is_scraped_until_it_is_stopped(stack):
    await asyncio.to_thread(stack.start_service, "library", 2)
    try:
        targets = await _targets_when_all_up(stack)
        second = f"127.0.0.1:{stack.cfg.service_port('library', 2)}"
        assert second in {t["labels"]["instance"] for t in targets}
    finally:
        await asyncio.to_thread(stack.stop, "library-2")
    targets = await _targets_when_all_up(stack)
    assert second not in {t["labels"]["instance"] for t in targets}


async def test_the_alert_rules_are_loaded_and_evaluate(stack):
    deadline = time.monotonic() + 30
    while True:
        groups = (await _api(stack, "/api/v1/rules", type="alert"))["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        if rules and all(rule.get("lastEvaluation", "").startswith("20") for rule in rules):
            break
        assert time.monotonic() < deadline, rules
        await asyncio.sleep(0.5)
    names = {rule["name"] for rule in rules}
    assert {"ScoreMateOutboxStuck", "ScoreMateDeadLetters", "ScoreMateUsageWebhookFailing"} <= names
    assert all(rule["health"] == "ok" for rule in rules), [(r["name"], r.get("lastError")) for r in rules]


async def test_every_dashboard_query_runs_on_the_stacks_prometheus(stack):
    for dashboard, title, expr in queries():
        # Grafana fills in its variables; a minute is what it would choose for this scrape rate.
        answer = await _answer(stack, "/api/v1/query", query=expr.replace("$__rate_interval", "1m"))
        assert answer["status"] == "success", (dashboard, title, answer)


async def test_processor_jobs_are_counted_by_kind_and_outcome(api: ApiClient, stack):
    user = await api.register()
    locked_pdf = (CORPUS / "bad" / "encrypted-user-password.pdf").read_bytes()
    locked = await api.upload_score(user, locked_pdf, "Locked")
    good_pdf = corpus_manifest()["bach_chorale-bwv1-6.pdf"].path.read_bytes()
    good = await api.upload_score(user, good_pdf, "Good")
    assert (await api.wait_for_score(user, locked["id"], timeout=60))["status"] == "failed"
    assert (await api.wait_for_score(user, good["id"], timeout=60))["status"] == "ready"

    query = "sum by (kind, outcome) (scoremate_job_duration_seconds_count)"
    deadline = time.monotonic() + 30
    while True:
        result = (await _api(stack, "/api/v1/query", query=query))["result"]
        counted = {(r["metric"]["kind"], r["metric"]["outcome"]): float(r["value"][1]) for r in result}
        wanted = [("pdf_info", "failed"), ("pdf_info", "succeeded"), ("thumbnail", "succeeded")]
        if all(counted.get(key, 0) >= 1 for key in wanted):
            break
        assert time.monotonic() < deadline, counted
        await asyncio.sleep(0.5)


def test_the_rendered_configuration_is_the_one_prometheus_runs(stack):
    loaded = Path(stack.cfg.run_dir / "prometheus" / "prometheus.yml").read_text()
    assert "deploy/prometheus/alerts.yml" in loaded
    targets = json.loads((stack.cfg.run_dir / "prometheus" / "targets" / "services.json").read_text())
    assert {group["labels"]["service"] for group in targets} == set(SERVICES)
