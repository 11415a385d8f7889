"""The library's event registrations through FastStream's in-memory broker and the real schema:
the registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid
from collections.abc import Callable

import sqlalchemy as sa

from scoremate_library.archives.service import ArchiveService
from scoremate_library.context import LibraryParts
from scoremate_library.events import handlers
from scoremate_library.models import Score
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, ExportRequestedV1, ProcessingFailedV1
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.testing import RecordedObjects, deliver_twice


async def test_an_event_is_applied_once_in_its_own_committed_transaction(
    library_db: Database, library_scores: ScoreService, service_settings: Callable[..., LibrarySettings]
):
    user_id = uuid.uuid4()
    score = Score(
        id=uuid.uuid4(),
        user_id=user_id,
        title="Air",
        status="processing",
        size_bytes=1,
        mime="application/pdf",
        content_hash="0" * 64,
        object_key="k",
        tags=[],
        tags_norm=[],
        filled_from_pdf=[],
    )
    async with library_db.transaction() as session:
        session.add(score)
    envelope = EventEnvelope.wrap(
        ProcessingFailedV1(score_id=score.id, user_id=user_id, kind="thumbnail", reason="broken"), "processor"
    )

    await deliver_twice(
        handlers,
        envelope,
        ProcessingFailedV1.routing_key,
        db=library_db,
        parts=LibraryParts(
            scores=library_scores,
            archives=ArchiveService(RecordedObjects(), library_scores, SetlistService()),
        ),
        settings=service_settings(LibrarySettings, "library"),
    )  # the second delivery is a duplicate

    async with library_db.session() as session:
        stored = await session.get(Score, score.id)
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert stored is not None
    assert (stored.status, stored.error) == ("failed", "broken")
    assert claims == ["library.processing-failed"]  # claimed once, under its queue's name


async def test_the_export_part_is_written_once_in_the_transaction_it_opens(
    library_db: Database, library_scores: ScoreService, service_settings: Callable[..., LibrarySettings]
):
    """Spanning, it claims the event itself, under its queue's name: a redelivery writes nothing."""
    user_id, export_id = uuid.uuid4(), uuid.uuid4()
    prefix = f"exports/{user_id}/{export_id}/1/parts/"
    envelope = EventEnvelope.wrap(
        ExportRequestedV1(export_id=export_id, user_id=user_id, attempt=1, parts_prefix=prefix), "exports"
    )

    class CountedObjects(RecordedObjects):
        puts = 0

        async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
            self.puts += 1
            await super().put_bytes(key, body, content_type)

    sink = CountedObjects()
    await deliver_twice(
        handlers,
        envelope,
        ExportRequestedV1.routing_key,
        db=library_db,
        parts=LibraryParts(
            scores=library_scores, archives=ArchiveService(sink, library_scores, SetlistService())
        ),
        settings=service_settings(LibrarySettings, "library"),
    )  # the second delivery is a duplicate

    async with library_db.session() as session:
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert sorted(sink.objects) == [f"{prefix}library.json", f"{prefix}setlists.json"]
    assert sink.puts == 2
    assert sink.json(f"{prefix}library.json")["scores"] == []
    assert claims == ["library.export-requested"]
