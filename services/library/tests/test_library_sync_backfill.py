"""The one-time publication of scores and setlists that existed before the library told the sync
projection of them (sync_backfill.py, revision 0011), on the migrated schema."""

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from scoremate_library.models import BackfillPhase, PendingBackfill, Score, Setlist, SetlistItem
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.service import SetlistService
from scoremate_library.sync_backfill import SYNC_SNAPSHOTS, SyncBackfill
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.messaging.tables import outbox_table

TABLES = ("setlist_items", "setlists", "scores", "score_counts", "pending_backfills", "outbox")


@pytest.fixture
async def clean_library(library_db: Database):
    """The backfill commits batch by batch: it runs on tables emptied before and after."""

    async def empty() -> None:
        async with library_db.transaction() as session:
            for table in TABLES:
                await session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (constant names)

    await empty()
    yield library_db
    await empty()


async def test_every_score_then_every_setlist_is_published_once_and_the_mark_goes(
    clean_library: Database, library_scores: ScoreService, new_score: Callable[..., Score]
):
    db = clean_library
    user = Principal(user_id=uuid.uuid4())
    async with db.transaction() as session:
        scores = [new_score(user, f"Piece {n}") for n in range(5)]
        session.add_all(scores)
        await session.flush()
        setlist = Setlist(user_id=user.user_id, title="Gig")
        session.add(setlist)
        await session.flush()
        session.add_all(
            [SetlistItem(setlist_id=setlist.id, position=i, score_id=s.id) for i, s in enumerate(scores[:2])]
        )
        session.add(PendingBackfill(name=SYNC_SNAPSHOTS, phase=BackfillPhase.SCORES))

    backfill = SyncBackfill(db, library_scores, SetlistService(), batch_size=2)
    assert await backfill.run() == 6
    async with db.transaction() as session:
        outbox = sa.select(outbox_table.c.envelope).order_by(outbox_table.c.id)
        envelopes = (await session.scalars(outbox)).all()
        assert await session.scalar(sa.select(sa.func.count()).select_from(PendingBackfill)) == 0
    changed = [e["data"] for e in envelopes if e["type"] == "ScoreChanged"]
    assert sorted(d["score_id"] for d in changed) == sorted(str(s.id) for s in scores)
    assert {d["version"] for d in changed} == {1}
    (setlist_changed,) = [e["data"] for e in envelopes if e["type"] == "SetlistChanged"]
    assert [item["title"] for item in setlist_changed["setlist"]["items"]] == ["Piece 0", "Piece 1"]
    assert setlist_changed["user_id"] == str(user.user_id)
    # Done is done: another start publishes nothing.
    assert await backfill.run() == 0


async def test_a_backfill_resumes_after_the_last_committed_batch(
    clean_library: Database, library_scores: ScoreService, new_score: Callable[..., Score]
):
    db = clean_library
    user = Principal(user_id=uuid.uuid4())
    async with db.transaction() as session:
        scores = sorted((new_score(user) for _ in range(3)), key=lambda s: s.id)
        session.add_all(scores)
        # As a crash after the first batch of two leaves it.
        session.add(PendingBackfill(name=SYNC_SNAPSHOTS, phase=BackfillPhase.SCORES, after_id=scores[1].id))
    assert await SyncBackfill(db, library_scores, SetlistService(), batch_size=2).run() == 1
    async with db.transaction() as session:
        published = (
            await session.scalars(
                sa.select(outbox_table.c.envelope["data"]["score_id"].astext).where(
                    outbox_table.c.envelope["type"].astext == "ScoreChanged"
                )
            )
        ).all()
    assert published == [str(scores[2].id)]
