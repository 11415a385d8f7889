"""Prometheus metric families every service exposes on /metrics.

A service with several worker processes sets PROMETHEUS_MULTIPROC_DIR (the native stack does):
each worker then writes its series to files there and /metrics adds them up, so counters and
histograms count every worker's requests whichever worker answers the scrape. The gauges measure
one shared thing (the outbox table, a queue) and each scrape refreshes them: the latest counts.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

http_requests = Counter(
    "scoremate_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
http_request_seconds = Histogram(
    "scoremate_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
events_published = Counter(
    "scoremate_events_published_total", "Events relayed from the outbox", ["event_type"]
)
events_consumed = Counter(
    "scoremate_events_consumed_total", "Events handled successfully", ["event_type", "queue"]
)
events_failed = Counter(
    "scoremate_events_failed_total", "Event handling attempts that failed", ["event_type", "queue"]
)
events_dead_lettered = Counter(
    "scoremate_events_dead_lettered_total", "Messages moved to a dead-letter queue", ["queue"]
)
outbox_backlog = Gauge(
    "scoremate_outbox_backlog", "Outbox rows not yet published", multiprocess_mode="livemostrecent"
)
outbox_oldest_age_seconds = Gauge(
    "scoremate_outbox_oldest_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none)",
    multiprocess_mode="livemostrecent",
)
queue_depth = Gauge(
    "scoremate_queue_depth",
    "Messages ready in this service's queues",
    ["queue"],
    multiprocess_mode="livemostrecent",
)
# The sync service's live streams held open now, summed over its worker processes.
sync_streams_open = Gauge(
    "scoremate_sync_streams_open", "Live sync streams (GET /sync/stream) open", multiprocess_mode="livesum"
)
job_duration_seconds = Histogram(
    "scoremate_job_duration_seconds",
    "Processing job durations by kind and outcome",
    ["kind", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


def exposition() -> tuple[bytes, str]:
    """The text of a scrape: this process's metrics, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
