"""A service's part of a library export (issue 15): its JSON documents written under the export's
`parts_prefix`, then announced with ExportPartWritten through the outbox in the handler's
transaction. A redelivery before that commit writes the same keys again (idempotent)."""

import uuid
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.events import ExportPartName, ExportPartWrittenV1, ExportRequestedV1
from scoremate_shared.messaging.broker import PermanentEventError
from scoremate_shared.messaging.outbox import add_event

JSON_CONTENT_TYPE = "application/json"


class ObjectSink(Protocol):
    """Where a part goes: `ObjectStorage` in a service, an in-memory recorder in the middle tier."""

    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None: ...


def _as_json(value: Any) -> Any:
    # asyncpg hands ids out as its own subclass of UUID, which orjson does not take as one.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def part_json(document: Any) -> bytes:
    """UTF-8 JSON exactly as it goes into the archive: indented for a human reader, times in
    ISO 8601 with their offset, ids as strings."""
    return orjson.dumps(document, default=_as_json, option=orjson.OPT_INDENT_2)


def part_key(event: ExportRequestedV1, name: str) -> str:
    """The key of one part file; a prefix outside the export's own folder can never be written
    (the storage policies allow only `exports/<user>/<export>/<attempt>/parts/<name>`)."""
    prefix = event.parts_prefix
    if not prefix.startswith(f"exports/{event.user_id}/{event.export_id}/") or not prefix.endswith("/"):
        raise PermanentEventError(f"parts_prefix {prefix!r} is not the export's own folder")
    if ".." in prefix.split("/"):
        raise PermanentEventError(f"parts_prefix {prefix!r} climbs out of the export's folder")
    return f"{prefix}{name}"


async def write_part_file(sink: ObjectSink, event: ExportRequestedV1, name: str, document: Any) -> str:
    """Store one document of the part; its key."""
    key = part_key(event, name)
    await sink.put_bytes(key, part_json(document), JSON_CONTENT_TYPE)
    return key


async def announce_part(
    session: AsyncSession, event: ExportRequestedV1, part: ExportPartName, keys: list[str], producer: str
) -> None:
    """ExportPartWritten through the outbox, in the transaction that read what the part holds."""
    await add_event(
        session,
        ExportPartWrittenV1(
            export_id=event.export_id, user_id=event.user_id, attempt=event.attempt, part=part, keys=keys
        ),
        producer,
    )
