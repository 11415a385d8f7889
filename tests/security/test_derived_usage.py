"""Issue 11 row 13: the cover and page images stored for a score count towards its owner's usage
(and so towards the quota), a re-render replaces them rather than adding to them, and they are
given back with the score, once."""

import asyncio
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import ApiClient, User, corpus_manifest, object_sizes

pytestmark = pytest.mark.stack


async def _image_bytes(stack: Any, user: User, score_id: str) -> int:
    sizes = await object_sizes(stack, f"{user.id}/scores/{score_id}/")
    return sum(size for key, size in sizes.items() if key.endswith(".jpg"))


async def _usage(api: ApiClient, user: User) -> dict[str, Any]:
    usage: dict[str, Any] = (await api.http.get("/billing/usage", headers=user.headers)).json()
    return usage


async def _usage_becomes(api: ApiClient, user: User, used_bytes: int, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (usage := await _usage(api, user))["used_bytes"] != used_bytes and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return usage


async def _renders_counted(stack: Any, score_id: str) -> int:
    """ThumbnailsGenerated events billing has applied to the score's usage."""
    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(
                sa.text(
                    "SELECT count(*) FROM billing.usage_ledger "
                    "WHERE score_id = :s AND reason = 'derived_images'"
                ),
                {"s": score_id},
            )
            return int(count or 0)
    finally:
        await engine.dispose()


async def test_derived_images_count_towards_usage_until_their_score_is_deleted(api: ApiClient, stack):
    user = await api.register()
    before = (await _usage(api, user))["used_bytes"]
    data = (
        corpus_manifest()["haydn_quartet-op74-1-mvt3.pdf"].path.read_bytes()
        + f"\n% {uuid.uuid4()}\n".encode()
    )
    score = await api.upload_score(user, data, title="Derived")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"

    images = await _image_bytes(stack, user, score["id"])
    assert images > 0  # a cover and three pages were stored beside the original
    usage = await _usage_becomes(api, user, before + len(data) + images)
    assert usage["used_bytes"] == before + len(data) + images
    assert usage["scores"] == 1

    # A re-render overwrites the same images: they are counted again, never twice.
    refreshed = await api.http.post(
        "/tasks/refresh-thumbnails", params={"score_id": score["id"]}, headers=user.headers
    )
    assert refreshed.status_code == 202, refreshed.text
    deadline = time.monotonic() + 30
    while await _renders_counted(stack, score["id"]) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert await _renders_counted(stack, score["id"]) == 2
    images = await _image_bytes(stack, user, score["id"])
    assert (await _usage(api, user))["used_bytes"] == before + len(data) + images

    assert (await api.http.delete(f"/scores/{score['id']}", headers=user.headers)).status_code == 204
    usage = await _usage_becomes(api, user, before)
    assert usage["used_bytes"] == before
    assert usage["scores"] == 0
    await asyncio.sleep(1)  # and it stays there: nothing is given back twice
    assert (await _usage(api, user))["used_bytes"] == before
