"""Which metrics a PromQL query names, and which the code exports: dashboards and alert rules may
name only those (and `up`, which Prometheus itself records for every target)."""

import re

from prometheus_client.metrics import MetricWrapperBase

from scoremate_shared.telemetry import metrics

# Recorded by Prometheus for every scrape target, not exported by anyone.
PROMETHEUS_OWN = {"up"}
_SAMPLE_SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("_sum", "_count", ""),
}
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_:.$])[A-Za-z_:][A-Za-z0-9_:]*")


def exported_series_names() -> set[str]:
    """Every series name the services' /metrics can show (telemetry/metrics.py)."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                names |= {family.name + suffix for suffix in _SAMPLE_SUFFIXES[family.type]}
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a query selects (function names, keywords, labels and strings left out)."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = _GROUPING.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        calls = text[match.end() :].lstrip().startswith("(")  # a function or an aggregation
        if not calls and match.group().lower() not in _KEYWORDS:
            names.add(match.group())
    return names
