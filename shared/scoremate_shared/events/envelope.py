"""The envelope every event travels in, and the base of every event's data model."""

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


def _dotted(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", ".", name).lower()


class IntegrationEvent(BaseModel):
    """The `data` of one event type at one major version.

    Subclasses are named `<Type>V<major>`; the routing key is derived from that name
    (`ScoreUploadedV1` -> `score.uploaded.v1`) so it can never drift from the type.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    # Not `version`: an event may carry a field of that name (ScoreChanged's entity version),
    # which would shadow it on every instance and put that number in the envelope.
    major_version: ClassVar[int]
    routing_key: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        match = re.fullmatch(r"([A-Za-z]+)V(\d+)", cls.__name__)
        if match is None:
            raise TypeError(f"event model {cls.__name__} must be named <Type>V<major>")
        cls.event_type = match.group(1)
        cls.major_version = int(match.group(2))
        cls.routing_key = f"{_dotted(cls.event_type)}.v{cls.major_version}"


class EventEnvelope(BaseModel):
    """What goes on the wire: the metadata of EVENTS.md around the event's data."""

    model_config = ConfigDict(frozen=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event: IntegrationEvent, producer: str) -> "EventEnvelope":
        return cls(
            type=event.event_type,
            version=event.major_version,
            producer=producer,
            data=event.model_dump(mode="json"),
        )
