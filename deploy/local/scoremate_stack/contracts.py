"""The committed AsyncAPI documents of docs/events/, one per service, and their generator."""

import importlib
import json
from pathlib import Path
from typing import Any

from scoremate_shared.messaging.asyncapi import events_asyncapi
from scoremate_stack.config import REPO_ROOT, SERVICES

EVENTS_DOCS = REPO_ROOT / "docs" / "events"


def service_asyncapi(service: str) -> dict[str, Any]:
    handlers = importlib.import_module(f"scoremate_{service}.events").handlers
    return events_asyncapi(service, handlers)


def document_path(service: str) -> Path:
    return EVENTS_DOCS / f"{service}.asyncapi.json"


def render(service: str) -> str:
    return json.dumps(service_asyncapi(service), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_event_docs() -> list[Path]:
    EVENTS_DOCS.mkdir(parents=True, exist_ok=True)
    written = []
    for service in SERVICES:
        path = document_path(service)
        path.write_text(render(service))
        written.append(path)
    return written
