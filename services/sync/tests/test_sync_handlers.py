"""The sync service's event registrations through FastStream's in-memory broker and the real schema:
the registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.events import (
    EventEnvelope,
    ScoreChangedV1,
    ScoreDeletedV1,
    ScoreSnapshot,
    ThumbnailsGeneratedV1,
    ThumbnailsProgressedV1,
)
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.testing import deliver_twice
from scoremate_sync.context import SyncParts
from scoremate_sync.events import handlers
from scoremate_sync.service import SyncService
from scoremate_sync.settings import SyncSettings


async def deliver(
    envelope: EventEnvelope, routing_key: str, db: Database, sync: SyncService, settings: SyncSettings
):
    await deliver_twice(
        handlers, envelope, routing_key, db=db, parts=SyncParts(sync=sync), settings=settings
    )  # the second delivery is a duplicate


async def test_a_score_and_its_deletion_reach_the_feed_once_each(
    sync_db: Database, sync: SyncService, sync_settings: SyncSettings
):
    user = Principal(uuid.uuid4())
    score_id = uuid.uuid4()
    now = datetime.now(UTC)
    snapshot = ScoreSnapshot(
        id=score_id,
        title="Air",
        composer="Bach",
        instrumentation=None,
        tags=["baroque"],
        note=None,
        status="processing",
        error=None,
        pages=None,
        page_sizes=None,
        size_bytes=10,
        mime="application/pdf",
        content_hash="0" * 64,
        cover_key=None,
        created_at=now,
        updated_at=now,
    )
    changed = EventEnvelope.wrap(
        ScoreChangedV1(score_id=score_id, user_id=user.user_id, version=1, score=snapshot), "library"
    )
    await deliver(changed, ScoreChangedV1.routing_key, sync_db, sync, sync_settings)
    first = await sync.page(sync_db, user, None, 100)
    assert [(c["kind"], c["op"], c["data"]["composer"]) for c in first["changes"]] == [
        ("score", "upsert", "Bach")
    ]

    deleted = EventEnvelope.wrap(ScoreDeletedV1(score_id=score_id, user_id=user.user_id), "library")
    await deliver(deleted, ScoreDeletedV1.routing_key, sync_db, sync, sync_settings)
    after = await sync.page(sync_db, user, first["next_cursor"], 100)
    # The score and its page images, each tombstoned once.
    assert [(c["kind"], str(c["id"]), c["op"]) for c in after["changes"]] == [
        ("score", str(score_id), "delete"),
        ("thumbnails", str(score_id), "delete"),
    ]
    async with sync_db.session() as session:
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(
                    inbox_table.c.event_id.in_([changed.event_id, deleted.event_id])
                )
            )
        ).all()
    assert sorted(claims) == ["sync.score-changed", "sync.score-deleted"]


async def test_thumbnail_progress_never_undoes_done_and_a_rerender_shows_again(
    sync_db: Database, sync: SyncService, sync_settings: SyncSettings
):
    user = Principal(uuid.uuid4())
    score_id = uuid.uuid4()

    def at(event, second: int) -> EventEnvelope:
        return EventEnvelope.wrap(event, "processor").model_copy(
            update={"occurred_at": datetime(2026, 11, 25, 10, 0, second, tzinfo=UTC)}
        )

    def progress(done: int) -> ThumbnailsProgressedV1:
        return ThumbnailsProgressedV1(score_id=score_id, user_id=user.user_id, pages_done=done, pages_total=4)

    generated = ThumbnailsGeneratedV1(
        score_id=score_id, user_id=user.user_id, cover_key="c", page_keys=["p1", "p2", "p3", "p4"]
    )

    async def state() -> dict:
        (change,) = (await sync.page(sync_db, user, None, 100))["changes"]
        return change["data"]

    await deliver(at(progress(1), 1), ThumbnailsProgressedV1.routing_key, sync_db, sync, sync_settings)
    assert await state() == {"score_id": str(score_id), "pages_done": 1, "pages_total": 4, "done": False}
    await deliver(at(generated, 3), ThumbnailsGeneratedV1.routing_key, sync_db, sync, sync_settings)
    await deliver(
        at(progress(2), 2), ThumbnailsProgressedV1.routing_key, sync_db, sync, sync_settings
    )  # late
    assert await state() == {"score_id": str(score_id), "pages_done": 4, "pages_total": 4, "done": True}
    await deliver(at(progress(1), 9), ThumbnailsProgressedV1.routing_key, sync_db, sync, sync_settings)
    assert (await state())["done"] is False  # refresh-thumbnails renders them again
