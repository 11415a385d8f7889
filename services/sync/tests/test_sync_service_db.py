"""The sync view's decisions against its migrated schema (the middle tier: no stack). The reads go
through the read pool, which sees only what committed: each test commits with a user of its own."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_sync.cursors import CursorExpired, InvalidCursor
from scoremate_sync.models import Entity, EntityKind, Feed
from scoremate_sync.retention import TombstonePruner
from scoremate_sync.service import SyncService
from scoremate_sync.settings import SyncSettings


def score_body(score_id: uuid.UUID, title: str = "Air", **fields: Any) -> dict[str, Any]:
    return {
        "id": str(score_id),
        "title": title,
        "composer": None,
        "instrumentation": None,
        "tags": [],
        "note": None,
        "status": "processing",
        "error": None,
        "pages": None,
        "page_sizes": None,
        "size_bytes": 1000,
        "mime": "application/pdf",
        "content_hash": "0" * 64,
        "cover_key": None,
        "filled_from_pdf": [],
        "created_at": "2026-11-25T10:00:00Z",
        "updated_at": "2026-11-25T10:00:00Z",
        **fields,
    }


async def upsert(
    db: Database, sync: SyncService, user: uuid.UUID, entity: uuid.UUID, version: int, **fields: Any
) -> bool:
    async with db.transaction() as session:
        return await sync.apply_upsert(
            session, user, EntityKind.SCORE, entity, version, score_body(entity, **fields)
        )


async def delete(
    db: Database, sync: SyncService, user: uuid.UUID, kind: EntityKind, entity: uuid.UUID
) -> bool:
    async with db.transaction() as session:
        return await sync.apply_delete(session, user, kind, entity)


def ids(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(change["id"]), change["op"]) for change in page["changes"]]


async def test_changes_come_in_commit_order_and_an_edited_entity_moves_to_the_end(
    sync_db: Database, sync: SyncService
):
    user = Principal(uuid.uuid4())
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for entity in (a, b, c):
        assert await upsert(sync_db, sync, user.user_id, entity, 1)
    first = await sync.page(sync_db, user, None, 100)
    assert ids(first) == [(str(a), "upsert"), (str(b), "upsert"), (str(c), "upsert")]
    assert first["has_more"] is False

    assert await upsert(sync_db, sync, user.user_id, a, 2, title="Air, edited")
    since = await sync.page(sync_db, user, first["next_cursor"], 100)
    assert ids(since) == [(str(a), "upsert")]
    assert since["changes"][0]["version"] == 2
    assert since["changes"][0]["data"]["version"] == 2  # the ETag a device sends as If-Match
    assert since["changes"][0]["data"]["title"] == "Air, edited"
    # Nothing new: the same position again.
    idle = await sync.page(sync_db, user, since["next_cursor"], 100)
    assert idle["changes"] == []
    assert sync.cursors.decode(user.user_id, idle["next_cursor"]) == sync.cursors.decode(
        user.user_id, since["next_cursor"]
    )


async def test_pages_follow_one_another_without_a_gap_or_a_repeat(sync_db: Database, sync: SyncService):
    user = Principal(uuid.uuid4())
    entities = [uuid.uuid4() for _ in range(7)]
    for entity in entities:
        await upsert(sync_db, sync, user.user_id, entity, 1)
    seen: list[str] = []
    cursor = None
    while True:
        page = await sync.page(sync_db, user, cursor, 3)
        seen += [str(change["id"]) for change in page["changes"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == [str(e) for e in entities]


async def test_a_late_or_repeated_version_never_rolls_back(sync_db: Database, sync: SyncService):
    user = Principal(uuid.uuid4())
    score = uuid.uuid4()
    assert await upsert(sync_db, sync, user.user_id, score, 3, title="third")
    start = (await sync.page(sync_db, user, None, 100))["next_cursor"]
    assert not await upsert(sync_db, sync, user.user_id, score, 2, title="second, late")
    assert not await upsert(sync_db, sync, user.user_id, score, 3, title="third, again")
    assert (await sync.page(sync_db, user, start, 100))["changes"] == []
    everything = await sync.page(sync_db, user, None, 100)
    assert [(c["version"], c["data"]["title"]) for c in everything["changes"]] == [(3, "third")]


async def test_a_tombstone_is_sent_after_a_cursor_but_not_to_a_fresh_device_and_is_final(
    sync_db: Database, sync: SyncService
):
    user = Principal(uuid.uuid4())
    kept, gone = uuid.uuid4(), uuid.uuid4()
    await upsert(sync_db, sync, user.user_id, kept, 1)
    await upsert(sync_db, sync, user.user_id, gone, 4)
    before = (await sync.page(sync_db, user, None, 100))["next_cursor"]
    assert await delete(sync_db, sync, user.user_id, EntityKind.SCORE, gone)

    after = await sync.page(sync_db, user, before, 100)
    assert after["changes"] == [{"kind": "score", "id": gone, "op": "delete", "version": 5, "data": None}]
    assert ids(await sync.page(sync_db, user, None, 100)) == [(str(kept), "upsert")]
    # A change still on its way when the score went (another queue) brings nothing back.
    assert not await upsert(sync_db, sync, user.user_id, gone, 9, title="late")
    assert not await delete(sync_db, sync, user.user_id, EntityKind.SCORE, gone)
    assert (await sync.page(sync_db, user, after["next_cursor"], 100))["changes"] == []


async def test_a_score_shows_a_signed_cover_url_once_ready_and_never_its_storage_key(
    sync_db: Database, sync: SyncService
):
    user = Principal(uuid.uuid4())
    score = uuid.uuid4()
    cover = f"{user.user_id}/scores/{score}/cover.jpg"
    await upsert(sync_db, sync, user.user_id, score, 1, cover_key=cover)
    processing = (await sync.page(sync_db, user, None, 100))["changes"][0]["data"]
    assert "cover_key" not in processing
    assert processing["thumbnail_url"] is None
    await upsert(sync_db, sync, user.user_id, score, 2, cover_key=cover, status="ready", pages=3)
    ready = (await sync.page(sync_db, user, None, 100))["changes"][0]["data"]
    assert "cover_key" not in ready
    assert cover in ready["thumbnail_url"]
    assert "X-Amz-Signature=" in ready["thumbnail_url"]


async def test_another_users_or_an_edited_cursor_is_a_400(sync_db: Database, sync: SyncService):
    me, someone = Principal(uuid.uuid4()), Principal(uuid.uuid4())
    await upsert(sync_db, sync, someone.user_id, uuid.uuid4(), 1)
    theirs = (await sync.page(sync_db, someone, None, 100))["next_cursor"]
    with pytest.raises(InvalidCursor):
        await sync.page(sync_db, me, theirs, 100)
    with pytest.raises(InvalidCursor):
        await sync.page(sync_db, me, theirs[:-2] + ("AA" if theirs[-2:] != "AA" else "BB"), 100)


async def test_pruned_tombstones_raise_the_horizon_and_an_older_cursor_is_410(
    sync_db: Database, sync: SyncService, sync_settings: SyncSettings
):
    user = Principal(uuid.uuid4())
    first, second = uuid.uuid4(), uuid.uuid4()
    await upsert(sync_db, sync, user.user_id, first, 1)
    await upsert(sync_db, sync, user.user_id, second, 1)
    old = (await sync.page(sync_db, user, None, 100))["next_cursor"]
    await delete(sync_db, sync, user.user_id, EntityKind.SCORE, first)
    after_delete = (await sync.page(sync_db, user, old, 100))["next_cursor"]

    later = datetime.now(UTC) + timedelta(days=sync_settings.sync_tombstone_retention_days, minutes=1)
    assert await TombstonePruner(sync_settings).prune(sync_db, now=later) >= 1

    with pytest.raises(CursorExpired) as expired:
        await sync.page(sync_db, user, old, 100)
    assert expired.value.status == 410
    assert "without a cursor" in expired.value.detail
    # A device that had seen the deletion goes on; a fresh one still gets everything current.
    assert (await sync.page(sync_db, user, after_delete, 100))["changes"] == []
    assert ids(await sync.page(sync_db, user, None, 100)) == [(str(second), "upsert")]


async def test_a_cursor_ahead_of_the_feed_is_410_as_after_a_restore(sync_db: Database, sync: SyncService):
    user = Principal(uuid.uuid4())
    await upsert(sync_db, sync, user.user_id, uuid.uuid4(), 1)
    with pytest.raises(CursorExpired):
        await sync.page(sync_db, user, sync.cursor(user.user_id, 99), 100)


async def test_one_users_changes_take_their_numbers_in_commit_order(sync_db: Database, sync: SyncService):
    """A second change of the same user waits for the first to commit before it takes a number, so
    a reader that saw number N can never later find a smaller one committing."""
    user = Principal(uuid.uuid4())
    first, second = uuid.uuid4(), uuid.uuid4()
    async with sync_db.transaction() as holding:
        await sync.apply_upsert(holding, user.user_id, EntityKind.SCORE, first, 1, score_body(first))
        waiting = asyncio.create_task(upsert(sync_db, sync, user.user_id, second, 1))
        await asyncio.sleep(0.5)
        assert not waiting.done()  # blocked on the feed row this transaction holds
    assert await asyncio.wait_for(waiting, 10)
    async with sync_db.session() as session:
        seqs = dict(
            (
                await session.execute(
                    sa.select(Entity.entity_id, Entity.seq).where(Entity.user_id == user.user_id)
                )
            ).all()
        )
    assert seqs[second] == seqs[first] + 1


async def test_an_erased_account_keeps_nothing_and_a_late_event_recreates_nothing(
    sync_db: Database, sync: SyncService
):
    user = Principal(uuid.uuid4())
    score = uuid.uuid4()
    await upsert(sync_db, sync, user.user_id, score, 1)
    async with sync_db.transaction() as session:
        await sync.erase_user(session, user.user_id)
    assert not await upsert(sync_db, sync, user.user_id, score, 2)
    async with sync_db.session() as session:
        left = await session.scalar(sa.select(sa.func.count()).where(Entity.user_id == user.user_id))
        feed = await session.get(Feed, user.user_id)
    assert left == 0
    assert feed is not None
    assert feed.erased_at is not None
    assert (await sync.page(sync_db, user, None, 100))["changes"] == []
