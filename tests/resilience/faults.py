"""Uploads that keep flowing while something breaks, and the checks that nothing was lost."""

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from scoremate_stack.config import SERVICES
from tests.support import ApiClient, User, corpus_manifest, image_bytes

# Small engraved files: many uploads per second of fault.
FILES = [
    "bach_chorale-bwv244-10.pdf",
    "schoenberg_op19-6.pdf",
    "schoenberg_op19-2.pdf",
    "ciconia_quod-jactatur.pdf",
    "corelli_trio-sonata-op3-1-grave.pdf",
    "berlin_alexanders-ragtime-band.pdf",
    "bach_chorale-bwv227-1.pdf",
    "bach_chorale-bwv140-7.pdf",
]
# 403 too: until files has heard of the Pro plan (QuotaChanged), it checks the Solo quota.
TRANSIENT = {403, 429, 500, 502, 503, 504}


@dataclass
class UploadFlow:
    """A client that uploads until told to stop, retrying what a broken server refused."""

    api: ApiClient
    user: User
    created: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _retry(self, call: Any, *, ok: set[int], deadline: float) -> httpx.Response:
        while True:
            try:
                response: httpx.Response = await call()
                if response.status_code in ok or response.status_code not in TRANSIENT:
                    return response
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server stayed unavailable for too long")
            await asyncio.sleep(0.2)

    async def upload_one(self, index: int) -> None:
        name = FILES[index % len(FILES)]
        # Distinct content per upload (a comment after %%EOF): no duplicate-hash refusals.
        data = corpus_manifest()[name].path.read_bytes() + f"\n% upload {index}\n".encode()
        deadline = time.monotonic() + 120
        upload = await self._retry(
            lambda: self.api.request_upload(self.user, data), ok={201}, deadline=deadline
        )
        assert upload.status_code == 201, upload.text
        body = upload.json()
        put = await self._retry(lambda: self.api.put_object(body, data), ok={200}, deadline=deadline)
        assert put.status_code == 200, put.text
        created = await self._retry(
            lambda: self.api.http.post(
                "/scores",
                headers=self.user.headers,
                json={"upload_token": body["upload_token"], "title": f"{name} #{index}"},
            ),
            ok={201, 409},
            deadline=deadline,
        )
        # 409: an earlier attempt did create it before its answer was lost.
        assert created.status_code in (201, 409), created.text
        self.created.append(body["score_id"])
        self.sizes[body["score_id"]] = len(data)

    async def run(self) -> None:
        index = 0
        while not self._stop.is_set():
            await self.upload_one(index)
            index += 1

    def stop(self) -> None:
        self._stop.set()


@contextlib.asynccontextmanager
async def uploads_flowing(api: ApiClient, user: User, *, at_least: int = 3):
    """Run an upload flow around the block; at least `at_least` uploads happen before it ends."""
    # Pro: the flow uploads as fast as it can, far beyond the small Solo quota of the tests.
    upgraded = await api.http.post(
        "/billing/plan",
        headers=user.headers,
        # One receipt buys one plan once: each user its own.
        json={"plan": "pro", "receipt": f"sandbox:pro:resilience-{user.id}"},
    )
    assert upgraded.status_code == 200, upgraded.text
    flow = UploadFlow(api, user)
    task = asyncio.create_task(flow.run())
    try:
        yield flow
        while len(flow.created) < at_least and not task.done():
            await asyncio.sleep(0.1)
    finally:
        flow.stop()
        await task


async def assert_settled(stack: Any, api: ApiClient, flow: UploadFlow, timeout: float = 120) -> None:
    """Every score ready, usage exact, no event handled twice, nothing stuck."""
    scores = [await api.wait_for_score(flow.user, sid, timeout=timeout) for sid in flow.created]
    assert [s["status"] for s in scores] == ["ready"] * len(scores), [s["error"] for s in scores]
    # Usage follows the uploads through the bus: a service restarted last may still be draining
    # its queue when the last score turns ready. Lost would be short for good, not for a moment.
    # Each original and the cover and page images stored for it (API.md, `used_bytes`); the user
    # has no score but the flow's.
    images = await image_bytes(stack, flow.user.id)
    expected = (sum(flow.sizes.values()) + images, len(flow.created))
    usage_deadline = time.monotonic() + 30
    while True:
        usage = (await api.http.get("/billing/usage", headers=flow.user.headers)).json()
        if (usage["used_bytes"], usage["scores"]) == expected or time.monotonic() > usage_deadline:
            break
        await asyncio.sleep(0.5)
    assert (usage["used_bytes"], usage["scores"]) == expected, usage

    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.connect() as conn:
            counted_twice = await conn.scalar(
                sa.text(
                    "SELECT count(*) FROM (SELECT score_id FROM billing.usage_ledger WHERE user_id = :u "
                    "AND reason = 'score_uploaded' GROUP BY score_id HAVING count(*) > 1) twice"
                ),
                {"u": flow.user.id},
            )
            assert counted_twice == 0
            stuck = await conn.scalar(
                sa.text("SELECT count(*) FROM processor.tasks WHERE user_id = :u AND status <> 'SUCCEEDED'"),
                {"u": flow.user.id},
            )
            assert stuck == 0
            stored = await conn.scalar(
                sa.text(
                    "SELECT coalesce(sum(size_bytes), 0) FROM files.uploads "
                    "WHERE user_id = :u AND status = 'stored'"
                ),
                {"u": flow.user.id},
            )
            assert stored + images == usage["used_bytes"]
            deadline = time.monotonic() + 30
            while True:
                backlog = 0
                for schema in SERVICES:
                    backlog += await conn.scalar(
                        sa.text(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL")  # noqa: S608
                    )
                if backlog == 0 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert backlog == 0
    finally:
        await engine.dispose()
