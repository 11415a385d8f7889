"""A NUL character in what a hot read passes to PostgreSQL is the client's mistake: 422, never a
500 (the hot reads go through asyncpg directly, not SQLAlchemy; found by Schemathesis)."""

import pytest

from tests.support import ApiClient

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("params", [{"query": "noc\x00turne"}, {"tag": "baro\x00que"}])
async def test_a_nul_in_a_list_filter_is_a_422_problem(api: ApiClient, params: dict[str, str]):
    user = await api.register()
    answer = await api.http.get("/scores", headers=user.headers, params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/validation-error")
