"""The live stream (GET /sync/stream): the same changes as GET /sync, pushed as they commit.

Every applying transaction NOTIFYs the user's id on the schema's channel (service.py); each worker
process of each replica holds one LISTEN connection (ChangeListener) and wakes the streams it
serves for that user, which then read their feed after the last number they sent. Nothing is
handed between processes in memory: a stream learns only "look again", and reads what committed.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import orjson
from fastapi.sse import ServerSentEvent
from sqlalchemy.engine import make_url

from scoremate_shared.auth import Principal, TokenVerifier
from scoremate_shared.db import Database
from scoremate_shared.errors import PROBLEM_BASE, ProblemError
from scoremate_shared.telemetry import metrics
from scoremate_sync.cursors import START_AGAIN, CursorExpired
from scoremate_sync.service import SyncService
from scoremate_sync.settings import SyncSettings

log = logging.getLogger(__name__)

# Changes read (and sent) per round trip while a stream catches up.
_BATCH = 100
_RECONNECT_SECONDS = 1.0
LISTENER_APPLICATION_NAME = "scoremate-sync-listener"


class ChangeListener:
    """One LISTEN connection per worker process, and the streams it serves, by user."""

    def __init__(self, settings: SyncSettings, channel: str) -> None:
        self._settings = settings
        self._channel = channel
        self._waiters: dict[uuid.UUID, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        # False while the connection is down: streams then look at their feed on every heartbeat
        # instead of waiting for a wake-up that cannot come.
        self.listening = False

    @property
    def open_streams(self) -> int:
        return sum(len(events) for events in self._waiters.values())

    @contextmanager
    def subscription(self, user_id: uuid.UUID) -> Iterator[asyncio.Event]:
        """An event set whenever a change of `user_id` commits, for as long as the block lasts."""
        wake = asyncio.Event()
        self._waiters.setdefault(user_id, set()).add(wake)
        metrics.sync_streams_open.inc()
        try:
            yield wake
        finally:
            waiting = self._waiters.get(user_id)
            if waiting is not None:
                waiting.discard(wake)
                if not waiting:
                    del self._waiters[user_id]
            metrics.sync_streams_open.dec()

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            user_id = uuid.UUID(str(payload))
        except ValueError:
            log.warning("ignoring a notification that names no user: %r", str(payload)[:100])
            return
        for wake in self._waiters.get(user_id, ()):
            wake.set()

    def _wake_all(self) -> None:
        for events in self._waiters.values():
            for wake in events:
                wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="sync-change-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _connect(self) -> asyncpg.Connection:
        url = make_url(self._settings.database_url)
        return await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
            # How an operator (or a test) tells it apart in pg_stat_activity.
            server_settings={"application_name": LISTENER_APPLICATION_NAME},
        )

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database restarts or is away: listen again shortly
                log.warning("the change listener lost its connection; reconnecting", exc_info=True)
            self.listening = False
            self._wake_all()  # they read their feeds themselves while nobody listens
            await asyncio.sleep(_RECONNECT_SECONDS)

    async def _listen_once(self) -> None:
        connection = await self._connect()
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        try:
            await connection.add_listener(self._channel, self._on_notification)
            self.listening = True
            # Whatever committed while nobody listened: every stream looks once.
            self._wake_all()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self._settings.sync_heartbeat_seconds)
                except TimeoutError:
                    # A connection that died without a word (no FIN) is found by using it.
                    await asyncio.wait_for(connection.execute("SELECT 1"), 5)
        finally:
            self.listening = False
            if not connection.is_closed():
                connection.terminate()


def _json(value: Any) -> str:
    # The jsonb bodies are plain JSON already; asyncpg's UUIDs are not orjson's.
    return orjson.dumps(value, default=str, option=orjson.OPT_UTC_Z).decode()


class ChangeStream:
    """The events of one client's stream."""

    def __init__(
        self,
        sync: SyncService,
        listener: ChangeListener,
        verifier: TokenVerifier,
        heartbeat_seconds: float,
    ) -> None:
        self.sync = sync
        self.listener = listener
        self.verifier = verifier
        self.heartbeat_seconds = heartbeat_seconds

    async def events(
        self, db: Database, user: Principal, token: str, after: int | None
    ) -> AsyncIterator[ServerSentEvent]:
        """Changes after `after` (None: from now on) as they commit, with heartbeats; ends when the
        access token stops being valid (expired, revoked) or the database fails. When the client
        goes, the response's task is cancelled and the subscription ends with it."""
        with self.listener.subscription(user.user_id) as wake:
            # Subscribed before the position is read: nothing committing from here on is missed.
            yield ServerSentEvent(comment="connected")
            try:
                position = await self.sync.position(db, user.user_id)
            except Exception:
                log.warning("live stream could not read its feed", exc_info=True)
                return
            last = position.head if after is None else after
            if after is not None and not position.serves(after):
                last = position.head
                yield self._reset(user.user_id, last)
            checked_token_at = time.monotonic()
            look = True
            while True:
                if look:
                    wake.clear()  # before reading: a change committing meanwhile wakes us again
                    try:
                        last, sent = await self._send_after(db, user.user_id, last)
                    except Exception:
                        log.warning("live stream could not read its feed", exc_info=True)
                        return
                    for event in sent:
                        yield event
                    if len(sent) == _BATCH:
                        continue
                if time.monotonic() - checked_token_at >= self.heartbeat_seconds:
                    if not await self._token_still_valid(token):
                        return
                    checked_token_at = time.monotonic()
                try:
                    await asyncio.wait_for(wake.wait(), self.heartbeat_seconds)
                    look = True
                except TimeoutError:
                    yield ServerSentEvent(comment="heartbeat")
                    look = not self.listener.listening

    async def _send_after(
        self, db: Database, user_id: uuid.UUID, last: int
    ) -> tuple[int, list[ServerSentEvent]]:
        changes = await self.sync.changes_after(db, user_id, last, _BATCH)
        events = [
            ServerSentEvent(
                event="change", id=self.sync.cursor(user_id, change.seq), raw_data=_json(change.body)
            )
            for change in changes
        ]
        return (changes[-1].seq if changes else last), events

    def _reset(self, user_id: uuid.UUID, head: int) -> ServerSentEvent:
        """The cursor was too old (or ahead of the feed): the device starts again with GET /sync,
        and this stream goes on from the present (its id is the cursor to resume from)."""
        problem = CursorExpired(f"Changes after this cursor are no longer all known. {START_AGAIN}")
        body = {"type": PROBLEM_BASE + problem.slug, "title": problem.title, "detail": problem.detail}
        return ServerSentEvent(event="reset", id=self.sync.cursor(user_id, head), raw_data=_json(body))

    async def _token_still_valid(self, token: str) -> bool:
        try:
            await self.verifier.verify(token)
        except ProblemError:
            return False
        return True
