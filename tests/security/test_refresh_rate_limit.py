"""Issue 11 row 13: `POST /tasks/refresh-thumbnails` is limited per user (each call re-renders up
to 500 pages), by a count every processor instance shares."""

import pytest

from tests.conftest import TEST_REFRESH_THUMBNAILS_PER_HOUR
from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack

ONE_PAGE = "bach_chorale-bwv244-10.pdf"


async def _ready_score(api: ApiClient, user: User) -> str:
    score = await api.upload_score(user, corpus_manifest()[ONE_PAGE].path.read_bytes(), "Chorale")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    return str(score["id"])


async def test_refreshes_past_the_hourly_limit_are_429_with_retry_after_and_per_user(api: ApiClient):
    user, other = await api.register(), await api.register()
    score_id, their_score_id = await _ready_score(api, user), await _ready_score(api, other)

    async def refresh(who: User, score: str):
        return await api.http.post(
            "/tasks/refresh-thumbnails", params={"score_id": score}, headers=who.headers
        )

    for _ in range(TEST_REFRESH_THUMBNAILS_PER_HOUR):
        accepted = await refresh(user, score_id)
        assert accepted.status_code == 202, accepted.text
    refused = await refresh(user, score_id)
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/refresh-limit-reached")
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    # Still refused: a refused call does not make room for the next.
    assert (await refresh(user, score_id)).status_code == 429
    # The limit is the user's, not the server's.
    assert (await refresh(other, their_score_id)).status_code == 202
