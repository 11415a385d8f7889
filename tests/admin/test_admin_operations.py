"""Operators' calls that every service offers: API docs through the gateway, dead letters."""

import asyncio

import aio_pika
import pytest

from scoremate_stack.config import SERVICES
from tests.support import ApiClient, User, admin_cli

pytestmark = pytest.mark.stack


async def make_admin(api: ApiClient, stack, user: User) -> User:
    """What `make admin EMAIL=...` does, then a fresh login so the token carries the role."""
    await admin_cli(stack, "grant-admin", user.email)
    tokens = await api.login(user.email, user.password)
    return User(user.id, user.email, user.password, tokens["access_token"], tokens["refresh_token"])


async def test_gateway_serves_every_service_openapi_and_asyncapi(api: ApiClient):
    # The reference page on the merged document: tests/browser/test_api_reference.py.
    for service in SERVICES:
        openapi = await api.http.get(f"/docs/{service}/openapi.json")
        assert openapi.status_code == 200
        assert openapi.json()["openapi"].startswith("3.")
        asyncapi = await api.http.get(f"/docs/{service}/asyncapi.json")
        assert asyncapi.status_code == 200
        assert asyncapi.json()["asyncapi"].startswith("3.")
    scores = (await api.http.get("/docs/library/openapi.json")).json()
    assert "/scores/{score_id}" in scores["paths"]


async def test_dead_letters_are_listed_and_replayed_by_an_admin_only(api: ApiClient, stack):
    user = await api.register()
    forbidden = await api.http.get("/admin/dead-letters/billing", headers=user.headers)
    assert forbidden.status_code == 403
    admin = await make_admin(api, stack, user)

    connection = await aio_pika.connect_robust(stack.amqp_url)
    async with connection, connection.channel(publisher_confirms=True) as channel:
        exchange = await channel.get_exchange("scoremate.events")
        await exchange.publish(aio_pika.Message(b"not an event at all"), routing_key="score.uploaded.v1")

    async def dead_letters() -> int:
        listing = await api.http.get("/admin/dead-letters/billing", headers=admin.headers)
        assert listing.status_code == 200, listing.text
        return {q["queue"]: q["dead_letters"] for q in listing.json()}["billing.score-uploaded"]

    for _ in range(100):
        if await dead_letters() >= 1:
            break
        await asyncio.sleep(0.1)
    assert await dead_letters() >= 1

    replay = await api.http.post(
        "/admin/dead-letters/billing/billing.score-uploaded/replay", headers=admin.headers
    )
    assert replay.status_code == 200
    assert replay.json()["replayed"] >= 1
    unknown = await api.http.post("/admin/dead-letters/billing/no.such.queue/replay", headers=admin.headers)
    assert unknown.status_code == 404
