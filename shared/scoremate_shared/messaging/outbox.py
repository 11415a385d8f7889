"""The transactional outbox: events are rows written with the change, relayed after commit."""

import asyncio
import logging
from typing import Any

import sqlalchemy as sa
from faststream.rabbit import RabbitBroker
from opentelemetry import propagate, trace
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, IntegrationEvent
from scoremate_shared.messaging.broker import EVENTS_EXCHANGE
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.telemetry import metrics

log = logging.getLogger(__name__)
tracer = trace.get_tracer("scoremate.outbox")

_PENDING_KEY = "scoremate.outbox_pending"
_relays: list["OutboxRelay"] = []


async def add_event(session: AsyncSession, event: IntegrationEvent, producer: str) -> EventEnvelope:
    """Queue `event` for publishing when (and only if) the session's transaction commits."""
    envelope = EventEnvelope.wrap(event, producer)
    headers: dict[str, str] = {}
    # The request (or consumer) that wrote the row is the parent of the publish span.
    propagate.inject(headers)
    await session.execute(
        sa.insert(outbox_table).values(
            event_id=envelope.event_id,
            routing_key=event.routing_key,
            envelope=envelope.model_dump(mode="json"),
            headers=headers,
        )
    )
    session.info[_PENDING_KEY] = True
    return envelope


@sa_event.listens_for(Session, "after_commit")
def _wake_relays_after_commit(session: Session) -> None:
    if session.info.pop(_PENDING_KEY, False):
        for relay in _relays:
            relay.wake()


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


class OutboxRelay:
    """Publishes committed outbox rows in order, with publisher confirms, until the broker takes them."""

    def __init__(
        self,
        db: Database,
        broker: RabbitBroker,
        *,
        poll_seconds: float,
        batch_size: int,
        retention_seconds: float = 3600.0,
    ) -> None:
        self._db = db
        self._broker = broker
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._retention_seconds = retention_seconds
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        if self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wakeup.set()
        else:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        _relays.append(self)
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self in _relays:
            _relays.remove(self)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        failures = 0
        cleaned_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                while await self.publish_batch() == self._batch_size:
                    pass
                failures = 0
                if loop.time() - cleaned_at > 60:
                    await self._delete_published()
                    cleaned_at = loop.time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the rows, try again later
                failures += 1
                log.warning("outbox relay failed (%s); retrying", exc, exc_info=failures == 1)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_seconds)
            except TimeoutError:
                pass
            self._wakeup.clear()

    async def publish_batch(self) -> int:
        """Publish up to one batch of pending rows; returns how many were published."""
        failure: Exception | None = None
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    sa.select(
                        outbox_table.c.id,
                        outbox_table.c.event_id,
                        outbox_table.c.routing_key,
                        outbox_table.c.envelope,
                        outbox_table.c.headers,
                    )
                    .where(outbox_table.c.published_at.is_(None))
                    .order_by(outbox_table.c.id)
                    .limit(self._batch_size)
                    # Another instance of the service relays other rows meanwhile.
                    .with_for_update(skip_locked=True)
                )
            ).all()
            published: list[int] = []
            for row in rows:
                try:
                    await self._publish(row.event_id, row.routing_key, row.envelope, row.headers)
                except Exception as exc:  # the rows published before it stay published
                    failure = exc
                    break
                published.append(row.id)
            if published:
                await session.execute(
                    sa.update(outbox_table)
                    .where(outbox_table.c.id.in_(published))
                    .values(published_at=sa.func.now())
                )
        if failure is not None:
            raise failure
        return len(published)

    async def _publish(
        self, event_id: Any, routing_key: str, envelope: dict[str, Any], headers: dict[str, Any]
    ) -> None:
        # The span of the request or consumer that wrote the row is the parent of the publish.
        with tracer.start_as_current_span(
            f"{routing_key} publish",
            context=propagate.extract(headers),
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": EVENTS_EXCHANGE.name,
                "messaging.rabbitmq.destination.routing_key": routing_key,
                "messaging.message.id": str(event_id),
            },
        ):
            message_headers: dict[str, Any] = {}
            propagate.inject(message_headers)
            await self._broker.publish(
                envelope,
                exchange=EVENTS_EXCHANGE,
                routing_key=routing_key,
                persist=True,
                # An event nobody consumes yet is still a valid event.
                mandatory=False,
                message_id=str(event_id),
                message_type=envelope.get("type"),
                content_type="application/json",
                headers=message_headers,
            )
        metrics.events_published.labels(event_type=str(envelope.get("type"))).inc()

    async def _delete_published(self) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                sa.delete(outbox_table).where(
                    outbox_table.c.published_at
                    < sa.func.now() - sa.text(f"interval '{int(self._retention_seconds)} seconds'")
                )
            )
