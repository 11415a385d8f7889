"""The live stream through the gateway (GET /sync/stream, Server-Sent Events): `ready` arrives
within a second of its event, Last-Event-ID resumes, heartbeats flow, nobody sees another user's
changes, and a client that goes frees its stream on the service."""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest

from scoremate_sync.cursors import CursorCodec
from scoremate_sync.settings import SyncSettings
from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack

SMALL_PDF = "bach_chorale-bwv227-1.pdf"


@dataclass
class Event:
    """One Server-Sent Event as a browser's EventSource would see it, and when it arrived."""

    event: str = "message"
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)
    arrived: float = 0.0

    def json(self) -> Any:
        return json.loads(self.data)


async def events(response: httpx.Response) -> AsyncIterator[Event]:
    """The events of an open stream, parsed by the rules of the SSE format (comments kept)."""
    current = Event()
    async for line in response.aiter_lines():
        if line == "":
            current.arrived = time.time()
            yield current
            current = Event()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                current.event = value
            elif name == "id":
                current.id = value
            elif name == "data":
                current.data = f"{current.data}\n{value}" if current.data else value


@contextlib.asynccontextmanager
async def stream(
    api: ApiClient, user: User, last_event_id: str | None = None, base_url: str | None = None
) -> AsyncIterator[AsyncIterator[Event]]:
    """An open stream through the gateway (or straight from one service instance at `base_url`)."""
    headers = {**user.headers, **({"Last-Event-ID": last_event_id} if last_event_id else {})}
    url = f"{base_url or ''}/sync/stream"
    async with api.http.stream("GET", url, headers=headers, timeout=30) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        received = events(response)
        opened = await anext(received)
        assert opened.comments == ["connected"]  # subscribed: nothing committing now is missed
        yield received


async def next_change(received: AsyncIterator[Event], timeout: float = 30) -> Event:
    """The next `change` or `reset`, past heartbeats."""
    async with asyncio.timeout(timeout):
        async for event in received:
            if event.event in ("change", "reset"):
                return event
    raise AssertionError("the stream ended")


async def test_the_stream_delivers_ready_within_a_second_of_the_event(api: ApiClient):
    user = await api.register()
    async with stream(api, user) as received:
        data = corpus_manifest()[SMALL_PDF].path.read_bytes()
        score = await api.upload_score(user, data, title="Komm, Jesu, komm")
        while True:
            change = await next_change(received)
            body = change.json()
            if body["kind"] == "score" and body["data"]["status"] == "ready":
                break
            assert body["id"] == score["id"]
        # The library stamps the change it publishes; the device holds it well within a second.
        changed_at = datetime.fromisoformat(body["data"]["updated_at"]).timestamp()
        assert change.arrived - changed_at < 1.0, change.arrived - changed_at
        assert body["data"]["thumbnail_url"]
        # The same change as GET /sync gives, with its cursor as the event's id.
        page = (await api.http.get("/sync", headers=user.headers)).json()
        (synced,) = [c for c in page["changes"] if c["kind"] == "score"]
        assert {k: v for k, v in synced["data"].items() if k != "thumbnail_url"} == {
            k: v for k, v in body["data"].items() if k != "thumbnail_url"
        }
        assert change.id


async def test_last_event_id_resumes_after_the_last_change_seen(api: ApiClient):
    user = await api.register()
    async with stream(api, user) as received:
        first = (await api.http.post("/setlists", json={"title": "one"}, headers=user.headers)).json()
        seen = await next_change(received)
        assert seen.json()["id"] == first["id"]
    # Offline: two more changes.
    second = (await api.http.post("/setlists", json={"title": "two"}, headers=user.headers)).json()
    third = (await api.http.post("/setlists", json={"title": "three"}, headers=user.headers)).json()
    async with stream(api, user, last_event_id=seen.id) as received:
        resumed = [(await next_change(received)).json()["id"] for _ in range(2)]
    assert resumed == [second["id"], third["id"]]


async def test_a_stream_sees_only_its_users_changes_and_heartbeats_while_idle(api: ApiClient):
    me, someone = await api.register(), await api.register()
    async with stream(api, me) as received:
        await api.http.post("/setlists", json={"title": "not mine"}, headers=someone.headers)
        mine = (await api.http.post("/setlists", json={"title": "mine"}, headers=me.headers)).json()
        assert (await next_change(received)).json()["id"] == mine["id"]
        # Idle: heartbeats (one a second on the test stack) come through the gateway unbuffered.
        started = time.monotonic()
        async with asyncio.timeout(5):
            async for event in received:
                assert event.event == "message"  # nothing of the other user's
                if "heartbeat" in event.comments:
                    break
        assert time.monotonic() - started < 3


async def test_a_bad_last_event_id_is_a_400_and_an_unknown_position_resets(api: ApiClient, stack: Any):
    user = await api.register()
    response = await api.http.get("/sync/stream", headers={**user.headers, "Last-Event-ID": "nonsense"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    # A cursor the feed never reached (as after a restore from a backup), signed as the stack signs.
    settings = SyncSettings(**{name.lower(): value for name, value in stack.cfg.service_env("sync").items()})
    ahead = CursorCodec(settings.sync_cursor_secret).encode(uuid.UUID(user.id), 10**6)
    async with stream(api, user, last_event_id=ahead) as received:
        reset = await next_change(received)
    assert reset.event == "reset"
    assert reset.json()["type"].endswith("/cursor-expired")
    assert reset.id  # the present: resume from there after syncing afresh


async def open_streams(stack: Any) -> float:
    """What the sync service reports of its open live streams (all its workers together)."""
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{stack.service_url('sync')}/metrics")).text
    lines = [line for line in text.splitlines() if line.startswith("scoremate_sync_streams_open")]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


async def test_closing_the_connection_frees_the_stream_on_the_service(api: ApiClient, stack: Any):
    user = await api.register()
    before = await open_streams(stack)
    async with stream(api, user):
        assert await open_streams(stack) == before + 1
    deadline = time.monotonic() + 10
    while await open_streams(stack) != before:
        assert time.monotonic() < deadline, "the stream outlived its client"
        await asyncio.sleep(0.2)


async def test_a_change_reaches_the_streams_of_every_replica(api: ApiClient, stack: Any):
    """Two sync instances of two workers each: the change is applied by one of the four processes,
    and streams held by the others hear of it through PostgreSQL, not memory."""
    await asyncio.to_thread(stack.start_service, "sync", 2)
    try:
        user = await api.register()
        async with contextlib.AsyncExitStack() as streams:
            received = [
                await streams.enter_async_context(stream(api, user, base_url=stack.service_url("sync", n)))
                for n in (1, 2)
                for _ in range(2)  # most likely both workers of each instance
            ]
            setlist = (
                await api.http.post("/setlists", json={"title": "everywhere"}, headers=user.headers)
            ).json()
            changes = await asyncio.gather(*(next_change(r, timeout=10) for r in received))
        assert [change.json()["id"] for change in changes] == [setlist["id"]] * 4
    finally:
        await asyncio.to_thread(stack.stop, "sync-2")
