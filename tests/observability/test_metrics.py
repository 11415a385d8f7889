"""Every service's /metrics shows the families operators watch, after one real upload."""

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from scoremate_stack.config import SERVICES
from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


def _samples(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


async def test_metrics_of_every_service_after_an_upload(api: ApiClient, stack):
    user = await api.register()
    data = corpus_manifest()["corelli_trio-sonata-op3-1-grave.pdf"].path.read_bytes()
    score = await api.upload_score(user, data, title="Grave")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    await api.http.get("/billing/usage", headers=user.headers)

    async with httpx.AsyncClient(timeout=10) as raw:
        texts = {name: (await raw.get(f"{stack.service_url(name)}/metrics")).text for name in SERVICES}
    families = {name: _samples(text) for name, text in texts.items()}

    for name, found in families.items():
        routes = {s.labels["route"] for s in found["scoremate_http_requests"] if s.name.endswith("_total")}
        assert routes, f"{name}: no request counts"
        assert "scoremate_http_request_duration_seconds" in found, name
        assert "scoremate_outbox_backlog" in found, name
        assert "scoremate_outbox_oldest_age_seconds" in found, name
        queues = {s.labels["queue"] for s in found.get("scoremate_queue_depth", [])}
        assert any(q.endswith(".dlq") for q in queues), f"{name}: no dead-letter queue depth"

    def consumed(service: str) -> set[str]:
        samples = families[service].get("scoremate_events_consumed", [])
        return {s.labels["event_type"] for s in samples if s.name.endswith("_total") and s.value > 0}

    def published(service: str) -> set[str]:
        samples = families[service].get("scoremate_events_published", [])
        return {s.labels["event_type"] for s in samples if s.name.endswith("_total") and s.value > 0}

    assert "POST /scores" in {
        f"{s.labels['method']} {s.labels['route']}" for s in families["library"]["scoremate_http_requests"]
    }
    assert {"UserRegistered"} <= published("auth")
    assert {"ScoreCreated"} <= published("library")
    assert {"ScoreUploaded"} <= published("files")
    assert {"PagesCounted", "ThumbnailsGenerated"} <= published("processor")
    assert {"QuotaChanged"} <= published("billing")
    assert {"ScoreCreated", "ThumbnailsGenerated"} <= consumed("files")
    assert {"PagesCounted", "ThumbnailsGenerated"} <= consumed("library")
    assert {"ScoreUploaded", "ProcessorJobRequested"} <= consumed("processor")
    assert {"ScoreUploaded", "UserRegistered"} <= consumed("billing")
    # A clean upload fails nothing. (With several workers a family never incremented has no
    # series at all, so absence counts as zero.)
    for family in ("scoremate_events_failed", "scoremate_events_dead_lettered"):
        assert sum(s.value for s in families["files"].get(family, []) if s.name.endswith("_total")) == 0


async def test_request_counts_add_up_across_the_worker_processes(api: ApiClient, stack):
    """Each API service runs several workers: a scrape counts every worker's requests."""
    workers = int(stack.cfg.service_env("library")["WEB_CONCURRENCY"])
    assert workers >= 2, "the test stack runs API services with several workers"
    route = ("GET", "/healthz", "200")

    def healthz_count(text: str) -> float:
        for sample in _samples(text)["scoremate_http_requests"]:
            labels = sample.labels
            if (
                sample.name.endswith("_total")
                and (labels["method"], labels["route"], labels["status"]) == route
            ):
                return sample.value
        return 0.0

    url = stack.service_url("library")
    async with httpx.AsyncClient(timeout=10) as raw:
        before = healthz_count((await raw.get(f"{url}/metrics")).text)
        # Separate connections: the kernel spreads them over the workers sharing the socket.
        for _ in range(40):
            async with httpx.AsyncClient(timeout=10) as one:
                assert (await one.get(f"{url}/healthz")).status_code == 200
        after = healthz_count((await raw.get(f"{url}/metrics")).text)
    assert after - before == 40
