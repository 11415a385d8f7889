"""The event contracts teams rely on: committed AsyncAPI documents that must match the code, and
each consumer's acceptance of what producers send today."""

import json
import uuid
from typing import Any

import pytest

from scoremate_shared.events import ALL_EVENTS, EventEnvelope
from scoremate_stack.config import SERVICES
from scoremate_stack.contracts import document_path, render, service_asyncapi

U1, U2 = str(uuid.uuid4()), str(uuid.uuid4())
# What each producer sends today (the minimal form: only required fields). A change to a model
# that rejects one of these is a breaking change: a new major version (see EVENTS.md).
PRODUCER_EXAMPLES: dict[str, dict[str, Any]] = {
    "UserRegistered": {"user_id": U1, "email": "a@example.com", "referral_code": "ABCDEFGH"},
    "UserDeleted": {"user_id": U1},
    "UserEmailVerified": {"user_id": U1},
    "AccessRevoked": {"user_id": U1, "not_before": "2026-11-24T10:00:00Z", "reason": "account_deleted"},
    "ScoreCreated": {"score_id": U2, "user_id": U1},
    "UploadRejected": {"score_id": U2, "user_id": U1, "reason": "the file is not a PDF"},
    "ScoreUploaded": {
        "score_id": U2,
        "user_id": U1,
        "object_key": "k",
        "size_bytes": 1,
        "mime": "application/pdf",
        "content_hash": "ab" * 32,
    },
    "PagesCounted": {"score_id": U2, "user_id": U1, "pages": 1, "page_sizes": [[595.28, 841.89]]},
    "ThumbnailsGenerated": {"score_id": U2, "user_id": U1, "cover_key": "c"},
    "ProcessingFailed": {"score_id": U2, "user_id": U1, "kind": "pdf_info", "reason": "r"},
    "ScoreDeleted": {"score_id": U2, "user_id": U1},
    "StorageReleased": {"user_id": U1, "score_id": U2, "bytes": 1},
    "QuotaChanged": {"user_id": U1, "plan": "solo", "total_bytes": 1, "used_bytes": 0, "reason": "r"},
    "UsageThresholdCrossed": {"user_id": U1, "threshold": 80, "used_bytes": 80, "total_bytes": 100},
    "AdminActionRecorded": {"actor_id": U1, "service": "files", "action": "list_files"},
    "ProcessorJobRequested": {"task_id": U2, "score_id": U2, "user_id": U1, "kind": "thumbnail"},
    # The library's changes for the sync projection (it always sends `filled_from_pdf`).
    "ScoreChanged": {
        "score_id": U2,
        "user_id": U1,
        "version": 2,
        "score": {
            "id": U2,
            "title": "Air",
            "composer": None,
            "instrumentation": None,
            "tags": [],
            "note": None,
            "status": "processing",
            "error": None,
            "pages": None,
            "page_sizes": None,
            "size_bytes": 1,
            "mime": "application/pdf",
            "content_hash": "ab" * 32,
            "cover_key": None,
            "filled_from_pdf": [],
            "created_at": "2026-11-24T10:00:00Z",
            "updated_at": "2026-11-24T10:00:00Z",
        },
    },
    "SetlistChanged": {
        "setlist_id": U2,
        "user_id": U1,
        "version": 3,
        "setlist": {
            "id": U2,
            "title": "Friday gig",
            "description": None,
            "items": [{"score_id": U1, "order_index": 0, "title": "Air"}],
            "created_at": "2026-11-24T10:00:00Z",
            "updated_at": "2026-11-24T10:00:00Z",
        },
    },
    "SetlistDeleted": {"setlist_id": U2, "user_id": U1, "version": 3},
    # The processor's progress on a long score (sync shows it per page).
    "ThumbnailsProgressed": {"score_id": U2, "user_id": U1, "pages_done": 1, "pages_total": 4},
    # Whole-library archives (issue 15): what the exports service, files, the library, auth and
    # billing send.
    "ExportPartWritten": {
        "export_id": U2,
        "user_id": U1,
        "attempt": 1,
        "part": "library",
        "keys": [f"exports/{U1}/{U2}/1/parts/library.json", f"exports/{U1}/{U2}/1/parts/setlists.json"],
    },
    "ImportRefused": {
        "import_id": U2,
        "user_id": U1,
        "reason": "The import needs 2 bytes; 1 of your 5 bytes are free",
    },
    "LibraryImported": {
        "import_id": U2,
        "user_id": U1,
        "score_ids": [U2],
        "setlists_created": 1,
        "setlists_skipped": 0,
    },
    "ExportRequested": {
        "export_id": U2,
        "user_id": U1,
        "attempt": 1,
        "parts_prefix": f"exports/{U1}/{U2}/1/parts/",
    },
    "ExportFinished": {"export_id": U2, "user_id": U1, "status": "completed"},
    "ImportArchiveUploaded": {"import_id": U2, "user_id": U1},
    "ImportAccepted": {
        "import_id": U2,
        "user_id": U1,
        "scores": [
            {
                "score_id": U2,
                "source_key": f"imports/{U1}/{U2}/scores/0.pdf",
                "filename": "Air.pdf",
                "size_bytes": 1,
                "mime": "application/pdf",
                "content_hash": "ab" * 32,
                "title": "Air",
                "composer": None,
                "instrumentation": None,
                "tags": ["baroque"],
                "note": None,
            }
        ],
        "setlists": [{"title": "Friday gig", "description": None, "score_ids": [U2, U2]}],
    },
    "ImportFilesReserved": {
        "import_id": U2,
        "user_id": U1,
        "scores": [
            {
                "score_id": U2,
                "source_key": f"imports/{U1}/{U2}/scores/0.pdf",
                "filename": "Air.pdf",
                "size_bytes": 1,
                "mime": "application/pdf",
                "content_hash": "ab" * 32,
                "title": "Air",
                "composer": None,
                "instrumentation": None,
                "tags": ["baroque"],
                "note": None,
            }
        ],
        "setlists": [{"title": "Friday gig", "description": None, "score_ids": [U2, U2]}],
    },
}


@pytest.mark.parametrize("service", SERVICES)
def test_committed_asyncapi_matches_the_code(service: str):
    """After changing an event or a subscription: `python -m scoremate_stack write-event-docs`."""
    assert document_path(service).read_text() == render(service), f"docs/events/{service} is out of date"


@pytest.mark.parametrize("service", SERVICES)
def test_every_consumer_accepts_what_its_producer_sends_today(service: str):
    from importlib import import_module

    handlers = import_module(f"scoremate_{service}.events").handlers
    assert handlers.consumed, service
    for queue, event_cls in handlers.consumed:
        assert event_cls in ALL_EVENTS or service == "processor", (queue, event_cls)
        example = PRODUCER_EXAMPLES[event_cls.event_type]
        wire = json.dumps(
            {
                "event_id": U2,
                "type": event_cls.event_type,
                "version": 1,
                "occurred_at": "2026-11-24T10:00:00Z",
                "producer": "test",
                "data": example,
            }
        )
        envelope = EventEnvelope.model_validate_json(wire)
        parsed = event_cls.model_validate(envelope.data).model_dump(mode="json")
        for key, value in example.items():
            if key != "page_sizes":  # tuples come back as lists
                assert parsed[key] == value, (event_cls.__name__, key)


def test_the_asyncapi_of_a_service_names_its_queues_keys_and_message_schemas():
    spec = service_asyncapi("library")
    channel = spec["channels"]["library.pages-counted"]
    assert channel["address"] == "pages.counted.v1"
    payload_ref = spec["components"]["messages"]["library.pages-counted:SubscribeMessage"]["payload"]["$ref"]
    schema = spec["components"]["schemas"][payload_ref.rsplit("/", 1)[1]]
    assert {"event_id", "type", "version", "occurred_at", "producer", "data"} <= set(schema["properties"])
