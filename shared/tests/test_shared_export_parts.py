"""A service's part of an export: its files go under the export's own prefix only, as UTF-8 JSON."""

import uuid
from datetime import UTC, datetime

import orjson
import pytest

from scoremate_shared.events import ExportRequestedV1
from scoremate_shared.export_parts import part_json, part_key
from scoremate_shared.messaging.broker import PermanentEventError


def _requested(prefix: str, user_id: uuid.UUID, export_id: uuid.UUID) -> ExportRequestedV1:
    return ExportRequestedV1(export_id=export_id, user_id=user_id, attempt=1, parts_prefix=prefix)


def test_a_part_file_goes_under_the_exports_own_prefix_only():
    user_id, export_id = uuid.uuid4(), uuid.uuid4()
    own = f"exports/{user_id}/{export_id}/1/parts/"
    assert part_key(_requested(own, user_id, export_id), "profile.json") == f"{own}profile.json"
    for elsewhere in (
        f"exports/{uuid.uuid4()}/{export_id}/1/parts/",  # another user's
        f"{user_id}/scores/",  # the user's originals
        f"exports/{user_id}/{export_id}/1/parts",  # no trailing slash: a sibling key
        f"exports/{user_id}/{export_id}/../../{uuid.uuid4()}/x/1/parts/",
    ):
        with pytest.raises(PermanentEventError):
            part_key(_requested(elsewhere, user_id, export_id), "profile.json")


def test_part_json_is_utf8_with_iso_times_and_string_ids():
    score_id = uuid.uuid4()
    when = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    body = part_json({"id": score_id, "title": "Études ✓", "at": when})
    assert orjson.loads(body) == {"id": str(score_id), "title": "Études ✓", "at": "2026-03-01T12:30:00+00:00"}
    assert "Études ✓".encode() in body
