"""Versions of scores and setlists (the middle tier): every change a client can see moves the
version on and publishes ScoreChanged or SetlistChanged with it, in the transaction of the change;
If-Match is checked on the locked row, so two writers with one ETag cannot both win."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import Score, Setlist
from scoremate_library.preconditions import NotModified, if_match_allows, if_none_match_hits
from scoremate_library.scores.schemas import ScorePatch
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.schemas import SetlistCreate, SetlistItemsIn, SetlistPatch
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.errors import PreconditionFailed
from scoremate_shared.events import (
    PagesCountedV1,
    ProcessingFailedV1,
    ScoreUploadedV1,
    ThumbnailsGeneratedV1,
)
from scoremate_shared.messaging.tables import outbox_table


async def published(session: AsyncSession, event_type: str, **data: str) -> list[dict[str, Any]]:
    """The `data` of the outbox rows of one event type (of one entity), oldest first."""
    rows = (
        await session.scalars(
            sa.select(outbox_table.c.envelope)
            .where(outbox_table.c.envelope["type"].astext == event_type)
            .order_by(outbox_table.c.id)
        )
    ).all()
    found = [row["data"] for row in rows]
    return [d for d in found if all(d.get(key) == value for key, value in data.items())]


def test_if_match_compares_strongly_and_if_none_match_weakly():
    assert if_match_allows(None, 3)
    assert if_match_allows("*", 3)
    assert if_match_allows('"3"', 3)
    assert if_match_allows('"1", "3"', 3)
    assert not if_match_allows('"2"', 3)
    assert not if_match_allows('W/"3"', 3)  # a weak tag never satisfies If-Match
    assert not if_match_allows('"bogus"', 3)
    assert not if_match_allows("3", 3)  # not an entity tag: matches nothing
    assert if_none_match_hits('W/"3"', 3)
    assert if_none_match_hits('"2", "3"', 3)
    assert if_none_match_hits("*", 3)
    assert not if_none_match_hits('"2"', 3)
    assert not if_none_match_hits(None, 3)


async def test_every_change_of_a_score_moves_its_version_on_and_publishes_it(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    score = new_score(user)
    session.add(score)
    await session.flush()
    assert score.version == 1
    sid = str(score.id)

    edited = await library_scores.patch_score(session, user, score.id, ScorePatch(composer="Bach"))
    assert edited["version"] == 2
    unchanged = await library_scores.patch_score(session, user, score.id, ScorePatch())
    assert unchanged["version"] == 2  # nothing changed: no new version, nothing published

    # The verified facts equal what the token announced: nothing changes, nothing is published.
    upload = {"user_id": user.user_id, "object_key": "k", "size_bytes": 1000, "mime": "application/pdf"}
    await library_scores.attach_upload(
        session, ScoreUploadedV1(score_id=score.id, content_hash="0" * 64, **upload)
    )
    await library_scores.attach_pages(
        session,
        PagesCountedV1(score_id=score.id, user_id=user.user_id, pages=1, page_sizes=[(612.0, 792.0)]),
    )
    await library_scores.attach_cover(
        session, ThumbnailsGeneratedV1(score_id=score.id, user_id=user.user_id, cover_key="c/cover.jpg")
    )
    await library_scores.mark_failed(session, score.id, "gave up")
    assert score.version == 5

    changes = await published(session, "ScoreChanged", score_id=sid)
    assert [c["version"] for c in changes] == [2, 3, 4, 5]
    assert [c["score"]["status"] for c in changes] == ["processing", "processing", "ready", "failed"]
    assert changes[0]["score"]["composer"] == "Bach"
    assert changes[1]["score"]["page_sizes"] == [[612.0, 792.0]]
    assert changes[2]["score"]["cover_key"] == "c/cover.jpg"
    assert changes[3]["score"]["error"] == "gave up"
    assert all(c["user_id"] == str(user.user_id) for c in changes)


async def test_a_stale_if_match_changes_nothing_and_a_current_one_applies(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    score = new_score(user)
    session.add(score)
    await session.flush()
    await library_scores.patch_score(session, user, score.id, ScorePatch(title="Two"), if_match='"1"')
    with pytest.raises(PreconditionFailed):
        await library_scores.patch_score(session, user, score.id, ScorePatch(title="Stale"), if_match='"1"')
    with pytest.raises(PreconditionFailed):
        await library_scores.delete_score(session, user, score.id, if_match='W/"2"')
    assert (score.title, score.version) == ("Two", 2)
    assert len(await published(session, "ScoreChanged", score_id=str(score.id))) == 1
    await library_scores.delete_score(session, user, score.id, if_match='"7", "2"')
    assert await session.get(Score, score.id) is None


async def test_a_setlist_versions_its_own_changes_and_those_of_its_scores(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    setlists, user = library_scores.setlists, Principal(uuid.uuid4())
    first, second = new_score(user, "First"), new_score(user, "Second")
    session.add_all([first, second])
    await session.flush()

    created = await setlists.create(session, user, SetlistCreate(title="Gig"))
    patched = await setlists.patch(session, user, created.id, SetlistPatch(description="Club"))
    filled = await setlists.replace_items(
        session, user, created.id, SetlistItemsIn(score_ids=[first.id, second.id, first.id])
    )
    await library_scores.patch_score(session, user, first.id, ScorePatch(title="First, renamed"))
    await library_scores.patch_score(session, user, second.id, ScorePatch(note="no title change"))
    await library_scores.delete_score(session, user, second.id)
    assert [created.version, patched.version, filled.version] == [1, 2, 3]

    changes = await published(session, "SetlistChanged", setlist_id=str(created.id))
    assert [c["version"] for c in changes] == [1, 2, 3, 4, 5]
    assert changes[0]["setlist"]["items"] == []
    assert changes[1]["setlist"]["description"] == "Club"
    renamed = [i["title"] for i in changes[3]["setlist"]["items"]]
    assert renamed == ["First, renamed", "Second", "First, renamed"]
    # The deleted score left it and the rest closed ranks.
    assert [(i["order_index"], i["title"]) for i in changes[4]["setlist"]["items"]] == [
        (0, "First, renamed"),
        (1, "First, renamed"),
    ]
    current = await setlists.get(session, user, created.id)
    assert current.version == 5
    with pytest.raises(NotModified):
        await setlists.get(session, user, created.id, if_none_match='"5"')
    with pytest.raises(PreconditionFailed):
        await setlists.delete(session, user, created.id, if_match='"4"')

    await setlists.delete(session, user, created.id, if_match='"5"')
    assert await published(session, "SetlistDeleted", setlist_id=str(created.id)) == [
        {"setlist_id": str(created.id), "user_id": str(user.user_id), "version": 5}
    ]


async def test_an_erased_user_publishes_no_change_per_entity(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    score = new_score(user)
    session.add(score)
    await session.flush()
    setlist = await library_scores.setlists.create(session, user, SetlistCreate(title="Gig"))
    items = SetlistItemsIn(score_ids=[score.id])
    await library_scores.setlists.replace_items(session, user, setlist.id, items)
    before = (await session.execute(sa.select(sa.func.count()).select_from(outbox_table))).scalar_one()
    await library_scores.erase_user(session, user.user_id)
    after = (await session.execute(sa.select(sa.func.count()).select_from(outbox_table))).scalar_one()
    assert after == before
    assert await session.get(Setlist, setlist.id) is None


async def test_a_failed_event_publishes_the_failure(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    score = new_score(user)
    session.add(score)
    await session.flush()
    event = ProcessingFailedV1(score_id=score.id, user_id=user.user_id, kind="pdf_info", reason="not a PDF")
    await library_scores.mark_failed(session, event.score_id, event.reason)
    [change] = await published(session, "ScoreChanged", score_id=str(score.id))
    assert change["version"] == 2
    assert (change["score"]["status"], change["score"]["error"]) == ("failed", "not a PDF")


async def test_two_writers_with_one_etag_cannot_both_win(
    library_db: Database, library_scores: ScoreService, new_score: Callable[..., Score]
):
    """Real transactions on two connections: the second waits for the first's row lock, then sees
    the new version and is refused; the same for a setlist."""
    user = Principal(uuid.uuid4())
    score = new_score(user)
    setlists = SetlistService()
    async with library_db.transaction() as session:
        session.add(score)
        await session.flush()
        setlist = await setlists.create(session, user, SetlistCreate(title="Gig"))

    async def patch_score(title: str) -> str:
        async with library_db.transaction() as session:
            await library_scores.patch_score(session, user, score.id, ScorePatch(title=title), if_match='"1"')
            await asyncio.sleep(0.2)  # hold the lock while the other writer tries
        return title

    async def patch_setlist(title: str) -> str:
        async with library_db.transaction() as session:
            await setlists.patch(session, user, setlist.id, SetlistPatch(title=title), if_match='"1"')
            await asyncio.sleep(0.2)
        return title

    for race in (patch_score, patch_setlist):
        outcomes = await asyncio.gather(race("A"), race("B"), return_exceptions=True)
        winners = [o for o in outcomes if isinstance(o, str)]
        losers = [o for o in outcomes if isinstance(o, PreconditionFailed)]
        assert (len(winners), len(losers)) == (1, 1), outcomes

    async with library_db.session() as session:
        stored = await session.get(Score, score.id)
        stored_setlist = await session.get(Setlist, setlist.id)
        assert stored is not None
        assert stored_setlist is not None
        assert stored.version == stored_setlist.version == 2
    async with library_db.transaction() as session:
        await library_scores.erase_user(session, user.user_id)
