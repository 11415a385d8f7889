"""The library's service logic against its migrated schema (the middle tier: no stack), each
test in a transaction that is rolled back."""

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import Score
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.schemas import SetlistCreate, SetlistItemsIn
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.auth import Principal
from scoremate_shared.errors import InvalidInput, NotFound
from scoremate_shared.events import PagesCountedV1, ThumbnailsGeneratedV1


async def test_setlists_are_paged_with_the_exact_total_and_each_appears_once(session: AsyncSession):
    setlists, user = SetlistService(), Principal(uuid.uuid4())
    for number in range(5):
        await setlists.create(session, user, SetlistCreate(title=f"Concert {number}"))
    pages = [await setlists.list_setlists(session, user, page=page, page_size=2) for page in (1, 2, 3)]
    assert [page.total for page in pages] == [5, 5, 5]
    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert sorted(s.title for page in pages for s in page.items) == [f"Concert {n}" for n in range(5)]
    assert (await setlists.list_setlists(session, Principal(uuid.uuid4()), page=1, page_size=20)).total == 0


async def test_a_setlist_keeps_its_order_and_repeats_and_refuses_scores_of_another_user(
    session: AsyncSession,
    new_score: Callable[..., Score],
):
    setlists, user, other = SetlistService(), Principal(uuid.uuid4()), Principal(uuid.uuid4())
    mine_a, mine_b, theirs = new_score(user, "A"), new_score(user, "B"), new_score(other, "C")
    session.add_all([mine_a, mine_b, theirs])
    await session.flush()
    setlist = await setlists.create(session, user, SetlistCreate(title="Tonight"))
    order = [mine_b.id, mine_a.id, mine_b.id]
    out = await setlists.replace_items(session, user, setlist.id, SetlistItemsIn(score_ids=order))
    assert [item.score_id for item in out.items] == order
    with pytest.raises((NotFound, InvalidInput)):
        await setlists.replace_items(session, user, setlist.id, SetlistItemsIn(score_ids=[theirs.id]))
    with pytest.raises(NotFound):
        await setlists.get(session, other, setlist.id)


async def test_a_score_is_ready_once_pages_and_cover_are_in_whatever_their_order(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    cover_first, pages_first = new_score(user), new_score(user)
    session.add_all([cover_first, pages_first])
    await session.flush()
    pages = {"user_id": user.user_id, "pages": 2, "page_sizes": [(612.0, 792.0), (612.0, 792.0)]}
    cover = {"user_id": user.user_id, "cover_key": "k/cover.jpg"}

    await library_scores.attach_cover(session, ThumbnailsGeneratedV1(score_id=cover_first.id, **cover))
    assert cover_first.status == "processing"
    await library_scores.attach_pages(session, PagesCountedV1(score_id=cover_first.id, **pages))
    await library_scores.attach_pages(session, PagesCountedV1(score_id=pages_first.id, **pages))
    assert pages_first.status == "processing"
    await library_scores.attach_cover(session, ThumbnailsGeneratedV1(score_id=pages_first.id, **cover))
    assert cover_first.status == pages_first.status == "ready"
    assert pages_first.page_sizes == [[612.0, 792.0], [612.0, 792.0]]
