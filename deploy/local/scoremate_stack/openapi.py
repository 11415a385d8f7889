"""The gateway's one OpenAPI document: every service's document merged (docs/openapi.json, committed,
served by the gateway at /openapi.json with a Swagger UI at /docs), and its generator."""

import importlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scoremate_stack.config import REPO_ROOT, SERVICES, StackConfig

MERGED_DOCUMENT = REPO_ROOT / "docs" / "openapi.json"
# The process probes answer on each service's own port, never through the gateway.
_INTERNAL_TAGS = {"operations"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def service_openapi(service: str) -> dict[str, Any]:
    """The service's document as its app builds it (the app is created, never started)."""
    with tempfile.TemporaryDirectory() as run_dir:
        env = StackConfig.for_tests(Path(run_dir)).service_env(service)
        env.pop("PROMETHEUS_MULTIPROC_DIR")  # the metrics stay in this process's memory
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            app = importlib.import_module(f"scoremate_{service}.main").create_app()
            return dict(app.openapi())
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def merge(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Paths side by side (each service owns its prefix); a schema two services define differently
    under one name is an error to fix at its source, not something to rename silently."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "ScoreMate API",
            "version": "1",
            "description": (
                "Every call through the gateway (one base URL). Errors are RFC 9457 problem documents "
                "(`application/problem+json`). The contract with our additions: docs/API.md."
            ),
        },
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {},
        },
    }
    schemas: dict[str, Any] = merged["components"]["schemas"]
    owners: dict[str, str] = {}
    for service, document in documents.items():
        for path, item in document.get("paths", {}).items():
            operations = {
                method: operation
                for method, operation in item.items()
                if method in _METHODS and not _INTERNAL_TAGS & set(operation.get("tags", []))
            }
            if not operations:
                continue
            if path in merged["paths"]:
                raise ValueError(f"{path} is served by {service} and by another service")
            merged["paths"][path] = operations
        components = document.get("components", {})
        for name, schema in components.get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"schema {name}: {service} and {owners[name]} define it differently")
            schemas[name] = schema
            owners.setdefault(name, service)
        merged["components"]["securitySchemes"].update(components.get("securitySchemes", {}))
    ids = [operation["operationId"] for item in merged["paths"].values() for operation in item.values()]
    duplicates = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
    if duplicates:
        raise ValueError(f"operation ids used twice: {duplicates}")
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"]["schemas"] = dict(sorted(schemas.items()))
    return merged


def render() -> str:
    document = merge({service: service_openapi(service) for service in SERVICES})
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_openapi() -> Path:
    MERGED_DOCUMENT.write_text(render())
    return MERGED_DOCUMENT
