"""Issue 11 row 7: guessing a password from one address slows, then locks, that address only."""

import time

import pytest

from tests.support import ApiClient

pytestmark = pytest.mark.stack

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


async def test_an_attackers_failures_never_lock_the_owner_out(api: ApiClient):
    user = await api.register()

    async def login(address: str, password: str):
        return await api.http.post(
            "/auth/login",
            json={"email": user.email, "password": password},
            headers={"X-Forwarded-For": address},
        )

    answers, slowest = [], 0.0
    for attempt in range(6):
        started = time.monotonic()
        answers.append((await login(ATTACKER, f"wrong guess {attempt}")).status_code)
        if attempt >= 3:
            slowest = max(slowest, time.monotonic() - started)
    # Three failures pass at full speed, then each attempt waits (the soft step), then a lock.
    assert answers == [401, 401, 401, 401, 401, 429]
    assert slowest >= 0.9
    assert (await login(ATTACKER, user.password)).status_code == 429
    # The owner, from their own address, signs in at once.
    started = time.monotonic()
    owner = await login(OWNER, user.password)
    assert owner.status_code == 200, owner.text
    assert time.monotonic() - started < 0.9
