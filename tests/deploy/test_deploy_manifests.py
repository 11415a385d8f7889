"""The compose file and every rendered Kubernetes manifest, validated offline against their schemas."""

import importlib
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from scoremate_stack.config import SERVICES, STORAGE_SERVICES
from scoremate_stack.gateway import render_k8s_gateway_config
from tests.deploy.manifests import render
from tests.support import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
KUBERNETES_VERSION = "1.30.0"


def test_compose_file_is_valid_against_the_compose_specification():
    schema_text = (
        resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    )
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    jsonschema.validate(compose, json.loads(schema_text))
    assert compose["services"]["processor"]["deploy"]["replicas"] == 2
    for required in ("postgres", "rabbitmq", "minio", "gateway", "jaeger", "prometheus", *SERVICES):
        assert required in compose["services"], required
    for service in SERVICES:
        assert compose["services"][service]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_env_example_holds_every_setting_the_services_read():
    text = (REPO_ROOT / ".env.example").read_text()
    named = {line.lstrip("# ").split("=", 1)[0] for line in text.splitlines() if "=" in line}
    # Set per service by compose.yaml rather than shared.
    per_service = {"SERVICE_NAME", "DB_SCHEMA", "DATABASE_URL"}
    for service in SERVICES:
        # Each service's settings: `<Name>Settings` in `scoremate_<name>/settings.py`.
        settings = getattr(
            importlib.import_module(f"scoremate_{service}.settings"), f"{service.title()}Settings"
        )
        missing = {f.upper() for f in settings.model_fields} - named - per_service
        assert not missing, (settings.__name__, sorted(missing))


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_every_rendered_kubernetes_manifest_is_valid(overlay: str):
    documents = render(DEPLOY / "k8s" / "overlays" / overlay)
    kinds = {(d["kind"], d["metadata"]["name"]) for d in documents}
    for service in SERVICES:
        assert ("Deployment", service) in kinds
        assert ("Service", service) in kinds
        assert ("PodDisruptionBudget", service) in kinds
        if service != "processor":
            assert ("HorizontalPodAutoscaler", service) in kinds
    assert ("ScaledObject", "processor") in kinds
    assert ("Ingress", "gateway") in kinds
    for document in documents:
        if document["apiVersion"].startswith("keda.sh/"):
            # KEDA's CRDs are not in the Kubernetes schemas: check the fields we rely on.
            assert document["spec"].get("scaleTargetRef") or document["spec"].get("secretTargetRef")
            continue
        if document["apiVersion"].startswith("monitoring.coreos.com/"):
            # The Prometheus Operator's CRDs: tests/deploy/test_observability_manifests.py checks them.
            continue
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    for document in documents:
        if document["kind"] == "Deployment":
            pod = document["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            for container in pod["containers"]:
                assert container["securityContext"]["readOnlyRootFilesystem"] is True
                assert "readinessProbe" in container
                assert "limits" in container["resources"]


def test_production_pins_images_and_dev_runs_small():
    production = {
        d["metadata"]["name"]: d
        for d in render(DEPLOY / "k8s" / "overlays" / "production")
        if d["kind"] == "Deployment"
    }
    assert production["library"]["spec"]["replicas"] == 4
    assert production["auth"]["spec"]["template"]["spec"]["containers"][0]["image"] == "scoremate/auth:1.0.0"
    assert production["auth"]["metadata"]["namespace"] == "scoremate"
    dev = {
        d["metadata"]["name"]: d
        for d in render(DEPLOY / "k8s" / "overlays" / "dev")
        if d["kind"] == "Deployment"
    }
    assert dev["library"]["spec"]["replicas"] == 1


def test_the_kubernetes_gateway_uses_the_rendered_gateway_configuration():
    assert (DEPLOY / "k8s" / "base" / "nginx.conf").read_text() == render_k8s_gateway_config()


def test_every_service_has_a_non_root_dockerfile_with_a_healthcheck():
    for service in SERVICES:
        dockerfile = (REPO_ROOT / "services" / service / "Dockerfile").read_text()
        assert dockerfile.count("FROM ") >= 2, service  # multi-stage
        assert "USER 10001" in dockerfile
        assert "HEALTHCHECK" in dockerfile
        assert f"--package scoremate-{service}" in dockerfile
        assert Path(REPO_ROOT / "services" / service / "pyproject.toml").exists()


def test_the_ingress_serves_tls_with_a_managed_certificate_and_trusts_only_the_pod_network():
    documents = render(DEPLOY / "k8s" / "overlays" / "production")
    ingress = next(d for d in documents if d["kind"] == "Ingress")
    assert ingress["spec"]["tls"][0]["secretName"]
    assert set(ingress["spec"]["tls"][0]["hosts"]) == {r["host"] for r in ingress["spec"]["rules"]}
    assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
    gateway = render_k8s_gateway_config()
    assert "set_real_ip_from 10.0.0.0/8;" in gateway
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in gateway


def test_compose_publishes_only_the_gateway_on_every_interface():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    published = {
        name: [str(port) for port in service.get("ports", [])]
        for name, service in compose["services"].items()
    }
    everywhere = {
        name for name, ports in published.items() for port in ports if not port.startswith("127.0.0.1:")
    }
    assert everywhere == {"gateway"}, published


def test_compose_gives_each_storage_service_its_own_minio_user_from_a_pinned_init():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    init = compose["minio-init"]
    assert ":latest" not in init["image"]
    assert "RELEASE." in init["image"]
    assert "./storage-policies:/policies:ro" in init["volumes"]
    root_user = compose["minio"]["environment"]["MINIO_ROOT_USER"]
    keys = {}
    for service in STORAGE_SERVICES:
        env = compose[service]["environment"]
        assert env["S3_ACCESS_KEY"] == init["environment"][f"{service.upper()}_S3_ACCESS_KEY"]
        assert env["S3_SECRET_KEY"] == init["environment"][f"{service.upper()}_S3_SECRET_KEY"]
        keys[service] = env["S3_ACCESS_KEY"]
    assert len(set(keys.values())) == len(STORAGE_SERVICES)
    assert root_user not in keys.values()
    # The shared env file names the settings but gives nobody a storage key.
    env_lines = (REPO_ROOT / ".env.example").read_text().splitlines()
    assert not [line for line in env_lines if line.startswith(("S3_ACCESS_KEY=", "S3_SECRET_KEY="))]
    # Each user is created with its policy by the init script.
    script = (DEPLOY / "compose" / "minio-init.sh").read_text()
    for service in STORAGE_SERVICES:
        upper = service.upper()
        assert f'identity {service} "${upper}_S3_ACCESS_KEY" "${upper}_S3_SECRET_KEY"' in script, service
        policy = json.loads((DEPLOY / "storage-policies" / f"{service}.json").read_text())
        assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


def test_kubernetes_gives_each_storage_service_its_own_storage_secret():
    documents = render(DEPLOY / "k8s" / "overlays" / "production")
    secrets = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Secret"}
    assert "S3_ACCESS_KEY" not in secrets["scoremate-secrets"]["stringData"]
    for document in documents:
        if document["kind"] != "Deployment" or document["metadata"]["name"] not in SERVICES:
            continue
        name = document["metadata"]["name"]
        sources = document["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        storage = [s["secretRef"]["name"] for s in sources if "scoremate-storage" in str(s)]
        assert storage == ([f"scoremate-storage-{name}"] if name in STORAGE_SERVICES else []), name
    for service in STORAGE_SERVICES:
        storage_secret = secrets[f"scoremate-storage-{service}"]["stringData"]
        assert set(storage_secret) == {"S3_ACCESS_KEY", "S3_SECRET_KEY"}


def _bytes(quantity: str) -> int:
    """A memory quantity as compose (`1g`) or Kubernetes (`1Gi`) writes it."""
    match = re.fullmatch(r"(\d+)([kmg]?)i?b?", quantity.lower())
    assert match, quantity
    number, unit = match.groups()
    return int(number) * 1024 ** " kmg".index(unit or " ")


def test_the_exports_memory_ceiling_sits_below_its_containers_limit():
    """Past MEMORY_LIMIT_BYTES an allocation fails inside the process (the export is retried);
    above the container's limit the kernel would kill the container first."""
    exports = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["exports"]
    assert 0 < int(exports["environment"]["MEMORY_LIMIT_BYTES"]) < _bytes(exports["mem_limit"])
    for overlay in ("dev", "production"):
        [deployment] = [
            d for d in render(overlay) if d["kind"] == "Deployment" and d["metadata"]["name"] == "exports"
        ]
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        env = {variable["name"]: variable.get("value") for variable in container["env"]}
        ceiling = int(env["MEMORY_LIMIT_BYTES"])
        assert 0 < ceiling < _bytes(container["resources"]["limits"]["memory"]), overlay
