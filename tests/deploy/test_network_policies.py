"""Who may connect to which pod, as the NetworkPolicies of each overlay say (evaluated here by
the rules of the NetworkPolicy API; no cluster needed): the ingress controller reaches the
gateway only, the gateway and the services reach the services, Prometheus their metrics port,
and nothing else gets in."""

from typing import Any

import pytest

from scoremate_stack.config import SERVICES
from tests.deploy.manifests import render

INGRESS_CONTROLLER = ("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = ("monitoring", {"app.kubernetes.io/name": "prometheus"})


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        present = expression["key"] in labels
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _peer_admits(peer: dict[str, Any], policy_namespace: str, source: tuple[str, dict[str, str]]) -> bool:
    namespace, labels = source
    namespace_labels = {"kubernetes.io/metadata.name": namespace}
    if "namespaceSelector" in peer:
        namespace_ok = _matches(peer["namespaceSelector"], namespace_labels)
    else:
        namespace_ok = namespace == policy_namespace
    return namespace_ok and _matches(peer.get("podSelector", {}), labels)


def may_connect(documents, source: tuple[str, dict[str, str]], target: str, port: str) -> bool:
    """Whether a pod (namespace, labels) may connect to the named port of a Deployment's pods."""
    deployment = next(d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == target)
    namespace = deployment["metadata"]["namespace"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    containers = deployment["spec"]["template"]["spec"]["containers"]
    numbers = {p["name"]: p["containerPort"] for c in containers for p in c["ports"]}
    assert port in numbers, (target, port)
    policies = [
        d
        for d in documents
        if d["kind"] == "NetworkPolicy"
        and d["metadata"]["namespace"] == namespace
        and "Ingress" in d["spec"].get("policyTypes", ["Ingress"])
        and _matches(d["spec"]["podSelector"], labels)
    ]
    if not policies:
        return True  # no policy selects the pod: everyone may connect
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            if rule.get("ports") and not any(p["port"] in (port, numbers[port]) for p in rule["ports"]):
                continue
            if not rule.get("from") or any(_peer_admits(peer, namespace, source) for peer in rule["from"]):
                return True
    return False


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_only_the_expected_peers_reach_each_pod(overlay: str):
    documents = render(overlay)
    namespace = next(d["metadata"]["namespace"] for d in documents if d["kind"] == "Deployment")

    def pod(name: str) -> tuple[str, dict[str, str]]:
        return namespace, {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "scoremate"}

    stranger_here = (namespace, {"app.kubernetes.io/name": "debug"})
    stranger_elsewhere = (
        "default",
        {"app.kubernetes.io/name": "auth", "app.kubernetes.io/part-of": "scoremate"},
    )
    assert may_connect(documents, INGRESS_CONTROLLER, "gateway", "http")
    for outsider in (PROMETHEUS, stranger_here, stranger_elsewhere, pod("library")):
        assert not may_connect(documents, outsider, "gateway", "http"), outsider
    for service in SERVICES:
        assert may_connect(documents, pod("gateway"), service, "http"), service
        assert may_connect(documents, pod("library"), service, "http"), service  # JWKS from auth
        assert may_connect(documents, PROMETHEUS, service, "http"), service  # /metrics
        for outsider in (INGRESS_CONTROLLER, stranger_here, stranger_elsewhere):
            assert not may_connect(documents, outsider, service, "http"), (outsider, service)
