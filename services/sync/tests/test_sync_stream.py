"""The live stream's parts against the real PostgreSQL: a commit wakes the streams of its user
through LISTEN/NOTIFY (and only that user's), the stream sends what committed after its position,
and closing a stream frees its subscription."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.errors import Unauthorized
from scoremate_sync.models import EntityKind
from scoremate_sync.service import SyncService
from scoremate_sync.settings import SyncSettings
from scoremate_sync.stream import LISTENER_APPLICATION_NAME, ChangeListener, ChangeStream

from .test_sync_service_db import score_body, upsert


class Verifier:
    """Stands in for the token verifier: a token is good until `revoke()`."""

    def __init__(self) -> None:
        self.revoked = False

    async def verify(self, token: str) -> Principal:
        if self.revoked:
            raise Unauthorized("revoked")
        return Principal(uuid.uuid4())


@pytest.fixture
async def listener(sync_settings: SyncSettings, sync: SyncService) -> AsyncIterator[ChangeListener]:
    listener = ChangeListener(sync_settings, sync.channel)
    listener.start()
    for _ in range(100):
        if listener.listening:
            break
        await asyncio.sleep(0.05)
    assert listener.listening
    yield listener
    await listener.stop()


async def test_a_commit_wakes_the_streams_of_its_user_only(
    sync_db: Database, sync: SyncService, listener: ChangeListener
):
    me, someone = uuid.uuid4(), uuid.uuid4()
    with listener.subscription(me) as mine, listener.subscription(someone) as theirs:
        await asyncio.sleep(0.1)  # the wake-up of a fresh connection
        mine.clear()
        theirs.clear()
        async with sync_db.transaction() as session:
            score = uuid.uuid4()
            await sync.apply_upsert(session, me, EntityKind.SCORE, score, 1, score_body(score))
            await asyncio.sleep(0.3)
            assert not mine.is_set()  # not before the commit
        await asyncio.wait_for(mine.wait(), 2)
        assert not theirs.is_set()
        assert listener.open_streams == 2
    assert listener.open_streams == 0


async def test_a_lost_listen_connection_is_replaced_and_every_stream_looks_again(
    sync_db: Database, sync: SyncService, listener: ChangeListener
):
    """A PostgreSQL restart (or a killed backend) drops the LISTEN connection: notifications sent
    meanwhile are lost, so the listener connects again and wakes every stream to read its feed."""
    user = uuid.uuid4()
    with listener.subscription(user) as wake:
        await asyncio.sleep(0.1)
        wake.clear()
        async with sync_db.transaction() as session:
            terminated = await session.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": LISTENER_APPLICATION_NAME},
            )
        assert terminated == 1
        await asyncio.wait_for(wake.wait(), 5)  # woken: it must look at its feed itself
        for _ in range(100):
            if listener.listening:
                break
            await asyncio.sleep(0.05)
        assert listener.listening
        wake.clear()
        score = uuid.uuid4()
        await upsert(sync_db, sync, user, score, 1)
        await asyncio.wait_for(wake.wait(), 2)  # and notifications flow again


async def next_event(events: AsyncIterator[Any], timeout: float = 3) -> Any:
    return await asyncio.wait_for(anext(events), timeout)


async def test_a_stream_sends_each_change_as_it_commits_and_frees_its_subscription_when_closed(
    sync_db: Database, sync: SyncService, listener: ChangeListener
):
    user = Principal(uuid.uuid4())
    stream = ChangeStream(sync, listener, Verifier(), heartbeat_seconds=0.5)
    events = stream.events(sync_db, user, "token", None)
    assert (await next_event(events)).comment == "connected"
    assert listener.open_streams == 1
    reading = asyncio.ensure_future(next_event(events))
    await asyncio.sleep(0.2)
    score = uuid.uuid4()
    await upsert(sync_db, sync, user.user_id, score, 1, title="Prelude")
    change = await reading
    assert change.event == "change"
    assert sync.cursors.decode(user.user_id, change.id) >= 1
    body = orjson.loads(change.raw_data)
    assert (body["kind"], body["id"], body["op"], body["data"]["title"]) == (
        "score",
        str(score),
        "upsert",
        "Prelude",
    )
    await events.aclose()  # what the server does when the client goes
    assert listener.open_streams == 0


async def test_a_stream_resumes_after_its_cursor_and_an_expired_one_is_reset_to_the_present(
    sync_db: Database, sync: SyncService, listener: ChangeListener
):
    user = Principal(uuid.uuid4())
    first, second = uuid.uuid4(), uuid.uuid4()
    await upsert(sync_db, sync, user.user_id, first, 1)
    position = await sync.position(sync_db, user.user_id)
    await upsert(sync_db, sync, user.user_id, second, 1)
    stream = ChangeStream(sync, listener, Verifier(), heartbeat_seconds=0.5)

    resumed = stream.events(sync_db, user, "token", position.head)
    await next_event(resumed)
    change = await next_event(resumed)
    assert orjson.loads(change.raw_data)["id"] == str(second)
    await resumed.aclose()

    ahead = stream.events(sync_db, user, "token", position.head + 50)
    await next_event(ahead)
    reset = await next_event(ahead)
    assert reset.event == "reset"
    assert orjson.loads(reset.raw_data)["type"].endswith("/cursor-expired")
    assert sync.cursors.decode(user.user_id, reset.id) == position.head + 1
    await ahead.aclose()
    assert listener.open_streams == 0


async def test_an_idle_stream_sends_heartbeats_and_ends_once_its_token_is_revoked(
    sync_db: Database, sync: SyncService, listener: ChangeListener
):
    verifier = Verifier()
    stream = ChangeStream(sync, listener, verifier, heartbeat_seconds=0.2)
    events = stream.events(sync_db, Principal(uuid.uuid4()), "token", None)
    await next_event(events)
    assert (await next_event(events)).comment == "heartbeat"
    verifier.revoked = True
    rest = [event async for event in events]  # ends by itself at the next check
    assert all(event.comment == "heartbeat" for event in rest)
    assert listener.open_streams == 0
