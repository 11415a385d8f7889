"""The Grafana dashboards: each loads, every panel has a query, and every query names only metrics
the services export (a renamed metric would leave a panel silently empty)."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.observability.promql import PROMETHEUS_OWN, exported_series_names, metric_names
from tests.support import REPO_ROOT

DASHBOARDS = sorted((REPO_ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, those inside rows included."""
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return [panel for panel in found if panel["type"] != "row"]


def queries() -> list[tuple[str, str, str]]:
    """(dashboard file, panel title, PromQL) of every panel of every dashboard."""
    return [
        (path.name, panel["title"], target["expr"])
        for path in DASHBOARDS
        for panel in panels(json.loads(path.read_text()))
        for target in panel["targets"]
    ]


def test_there_is_a_service_overview_and_a_pipeline_dashboard():
    assert {path.name for path in DASHBOARDS} >= {"service-overview.json", "pipeline.json"}
    uids = [json.loads(path.read_text())["uid"] for path in DASHBOARDS]
    assert len(set(uids)) == len(uids)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_panel_queries_prometheus_through_the_chosen_data_source(path: Path):
    dashboard = json.loads(path.read_text())
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in panels(dashboard):
        assert panel["targets"], panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]


def test_every_query_names_only_metrics_the_code_exports():
    exported = exported_series_names() | PROMETHEUS_OWN
    for dashboard, title, expr in queries():
        named = metric_names(expr)
        assert named, (dashboard, title, expr)
        assert named <= exported, (dashboard, title, sorted(named - exported))
