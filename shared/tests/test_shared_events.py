import uuid

import pytest

from scoremate_shared.events import ALL_EVENTS, EventEnvelope, ScoreUploadedV1, SetlistDeletedV1
from scoremate_shared.events.envelope import IntegrationEvent


def test_routing_keys_follow_the_event_names():
    keys = {event.event_type: event.routing_key for event in ALL_EVENTS}
    assert keys["ScoreUploaded"] == "score.uploaded.v1"
    assert keys["UsageThresholdCrossed"] == "usage.threshold.crossed.v1"
    assert keys["UserRegistered"] == "user.registered.v1"
    assert len(set(keys.values())) == len(ALL_EVENTS)


def test_an_event_model_without_a_version_in_its_name_is_refused():
    with pytest.raises(TypeError, match="must be named"):

        class ScoreArchived(IntegrationEvent):
            score_id: uuid.UUID


def test_envelope_roundtrips_through_json():
    event = ScoreUploadedV1(
        score_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        object_key="u/scores/s/original.pdf",
        size_bytes=123,
        mime="application/pdf",
        content_hash="ab" * 32,
    )
    envelope = EventEnvelope.wrap(event, "files")
    parsed = EventEnvelope.model_validate_json(envelope.model_dump_json())
    assert parsed.type == "ScoreUploaded"
    assert parsed.version == 1
    assert parsed.producer == "files"
    assert ScoreUploadedV1.model_validate(parsed.data) == event


def test_unknown_fields_from_a_newer_producer_are_ignored():
    data = {
        "score_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "object_key": "k",
        "size_bytes": 1,
        "mime": "application/pdf",
        "content_hash": "00",
        "added_later": "optional field",
    }
    assert ScoreUploadedV1.model_validate(data).size_bytes == 1


def test_an_event_with_a_version_field_still_travels_as_its_major_version():
    event = SetlistDeletedV1(setlist_id=uuid.uuid4(), user_id=uuid.uuid4(), version=7)
    envelope = EventEnvelope.wrap(event, "library")
    assert (envelope.version, envelope.data["version"]) == (1, 7)
    assert SetlistDeletedV1.major_version == 1
