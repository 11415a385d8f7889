"""Issue 11 row 4: a deleted account, a signed-out session and a removed role end their access
tokens at every service within seconds, not when the tokens expire."""

import asyncio
import time

import pytest

from tests.admin.test_admin_operations import make_admin
from tests.support import ApiClient, User, admin_cli

pytestmark = pytest.mark.stack

# Reads and writes at every service that takes a user's token.
CALLS = (
    ("GET", "/scores", None),
    ("POST", "/setlists", {"title": "After the end"}),
    ("GET", "/billing/usage", None),
    ("GET", "/tasks", None),
    ("GET", "/auth/me", None),
)


async def _statuses(api: ApiClient, token: str) -> list[int]:
    headers = {"Authorization": f"Bearer {token}"}
    return [
        (await api.http.request(method, path, headers=headers, json=body)).status_code
        for method, path, body in CALLS
    ]


async def _refused_everywhere(api: ApiClient, token: str, within: float = 10) -> list[int]:
    deadline = time.monotonic() + within
    while True:
        statuses = await _statuses(api, token)
        if set(statuses) == {401} or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.2)


async def test_a_deleted_accounts_token_is_refused_everywhere_as_account_gone(api: ApiClient):
    user = await api.register()
    assert all(status in (200, 201) for status in await _statuses(api, user.access_token))
    assert (await api.http.delete("/auth/me", headers=user.headers)).status_code == 202
    assert await _refused_everywhere(api, user.access_token) == [401] * len(CALLS)
    gone = await api.http.get("/scores", headers=user.headers)
    assert gone.json()["type"].endswith("/account-gone")


async def test_signing_out_ends_that_sessions_access_tokens_only(api: ApiClient):
    user = await api.register()
    other = await api.login(user.email, user.password)  # a second device
    signed_out = await api.http.post("/auth/logout", json={"refresh_token": user.refresh_token})
    assert signed_out.status_code == 204
    assert await _refused_everywhere(api, user.access_token) == [401] * len(CALLS)
    still = await _statuses(api, other["access_token"])
    assert all(status in (200, 201) for status in still), still


async def test_a_removed_admin_role_ends_the_tokens_that_carry_it(api: ApiClient, stack):
    admin = await make_admin(api, stack, await api.register())
    assert (await api.http.get("/admin/users", headers=admin.headers)).status_code == 200
    await admin_cli(stack, "revoke-admin", admin.email)
    deadline = time.monotonic() + 10
    while (await api.http.get("/admin/users", headers=admin.headers)).status_code != 401:
        assert time.monotonic() < deadline, "the admin token still works"
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.1)  # tokens of the revoking second itself are let through
    fresh = await api.login(admin.email, admin.password)
    again = User(admin.id, admin.email, admin.password, fresh["access_token"], fresh["refresh_token"])
    assert (await api.http.get("/admin/users", headers=again.headers)).status_code == 403
    assert (await api.http.get("/scores", headers=again.headers)).status_code == 200
