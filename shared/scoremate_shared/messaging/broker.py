"""The broker connection, the events exchange, and idempotency-friendly subscribers with retry.

Each consumed event gets its own durable queue `<service>.<purpose>` bound to the event's
routing key, a delay queue `<queue>.retry` that dead-letters back into it after a per-message
TTL (exponential backoff through the broker, never a sleep in the consumer), and a dead-letter
queue `<queue>.dlq` for messages that failed too often or can never be handled.

The registration owns the unit of work: `@handlers.on(Event)` opens a session, claims the event
in the inbox under the queue's name, calls the handler and commits (a raise rolls it all back);
`@handlers.spanning(Event)` is for the few flows that need several transactions (they take the
`Database` and key their effects themselves).
"""

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aio_pika import IncomingMessage
from faststream import AckPolicy
from faststream.rabbit import (
    Channel,
    ExchangeType,
    RabbitBroker,
    RabbitExchange,
    RabbitMessage,
    RabbitQueue,
)
from opentelemetry import propagate, trace
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.db import Database
from scoremate_shared.events import AccessRevokedV1, EventEnvelope, IntegrationEvent
from scoremate_shared.messaging.inbox import claim_event
from scoremate_shared.revocations import RevocationReader, record_revocation
from scoremate_shared.settings import ServiceSettings
from scoremate_shared.telemetry import metrics

log = logging.getLogger(__name__)
tracer = trace.get_tracer("scoremate.messaging")

EVENTS_EXCHANGE = RabbitExchange("scoremate.events", type=ExchangeType.TOPIC, durable=True)
RETRY_COUNT_HEADER = "x-retry-count"

E = TypeVar("E", bound=IntegrationEvent)
P = TypeVar("P")


@dataclass(frozen=True)
class EventContext(Generic[P]):
    """What a handler gets besides its session (or database) and the event: the envelope (id,
    time, producer) and the service's own parts (its service objects and settings), never the
    whole runtime."""

    envelope: EventEnvelope
    parts: P


# In the transaction the registration opens and commits.
TransactionalHandler = Callable[[AsyncSession, E, EventContext[P]], Awaitable[None]]
# A flow of several transactions: it opens them itself (`db.transaction()`).
SpanningHandler = Callable[[Database, E, EventContext[P]], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """How the message being handled arrived: a handler may need to know it is a redelivery."""

    queue: str
    # True when the broker hands the message out again because its consumer went away
    # (a crashed or killed process), not because we scheduled a retry.
    redelivered: bool
    retries: int


current_delivery: ContextVar[Delivery | None] = ContextVar("current_delivery", default=None)


class RetryLater(Exception):
    """Raised by a handler that must wait (say, for a lease to lapse): the message comes back after
    `seconds`, without counting as a failed attempt."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = max(seconds, 0.1)


class PermanentEventError(Exception):
    """Raised by a handler for an event that can never succeed: dead-lettered at once."""


def create_broker(settings: ServiceSettings) -> RabbitBroker:
    return RabbitBroker(
        settings.amqp_url,
        default_channel=Channel(
            publisher_confirms=True,
            prefetch_count=settings.consumer_prefetch,
            on_return_raises=False,
        ),
        # FastStream logs every message at this level; keep them out of INFO logs.
        log_level=logging.DEBUG,
    )


@dataclass(frozen=True)
class _Registration:
    event_cls: type[IntegrationEvent]
    queue: str
    handler: Callable[..., Awaitable[None]]
    prefetch: int | None
    spans_transactions: bool


@dataclass(frozen=True)
class _Consumer:
    """What the subscribers of one process share."""

    broker: RabbitBroker
    db: Database
    parts: Any
    settings: ServiceSettings


class EventHandlers(Generic[P]):
    """The events one service consumes: `@handlers.on(ScoreUploadedV1)` on each handler; `P` is
    the type of the service's parts its handlers receive in `EventContext.parts`."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._registrations: list[_Registration] = []
        self._revocations: RevocationReader | None = None
        # Every service verifies access tokens, so every service hears of revoked ones.
        self.spanning(AccessRevokedV1)(self._record_revocation)

    def _queue(self, event_cls: type[IntegrationEvent], purpose: str | None) -> str:
        return f"{self.service}.{purpose or event_cls.routing_key.rsplit('.', 1)[0].replace('.', '-')}"

    def on(
        self, event_cls: type[E], *, purpose: str | None = None, prefetch: int | None = None
    ) -> Callable[[TransactionalHandler[E, P]], TransactionalHandler[E, P]]:
        """`handler(session, event, ctx)` runs once per event (inbox) in one committed transaction."""

        def register(handler: TransactionalHandler[E, P]) -> TransactionalHandler[E, P]:
            queue = self._queue(event_cls, purpose)
            self._registrations.append(_Registration(event_cls, queue, handler, prefetch, False))
            return handler

        return register

    def spanning(
        self, event_cls: type[E], *, purpose: str | None = None, prefetch: int | None = None
    ) -> Callable[[SpanningHandler[E, P]], SpanningHandler[E, P]]:
        """`handler(db, event, ctx)` for a flow of several transactions (or with work after its
        commit): it opens its transactions itself and must be idempotent on its own."""

        def register(handler: SpanningHandler[E, P]) -> SpanningHandler[E, P]:
            queue = self._queue(event_cls, purpose)
            self._registrations.append(_Registration(event_cls, queue, handler, prefetch, True))
            return handler

        return register

    async def _record_revocation(self, db: Database, event: AccessRevokedV1, ctx: EventContext[Any]) -> None:
        """Keep the revocation; every worker of this service reads it within a second."""
        if self._revocations is None:
            raise RuntimeError("EventHandlers.attach() was not called")
        await record_revocation(db, self._revocations, event, ctx.envelope)

    @property
    def queues(self) -> list[str]:
        return [r.queue for r in self._registrations]

    @property
    def consumed(self) -> list[tuple[str, type[IntegrationEvent]]]:
        """(queue, event model) for every handler: what this service depends on."""
        return [(r.queue, r.event_cls) for r in self._registrations]

    def attach(
        self,
        broker: RabbitBroker,
        *,
        db: Database,
        parts: P,
        settings: ServiceSettings,
        revocations: RevocationReader,
    ) -> None:
        """Create one FastStream subscriber per registered handler."""
        self._revocations = revocations
        consumer = _Consumer(broker, db, parts, settings)
        for registration in self._registrations:
            _subscribe(consumer, registration)

    async def declare_retry_queues(self, broker: RabbitBroker) -> None:
        """Declare the delay and dead-letter queues beside every consumed queue."""
        for name in self.queues:
            await broker.declare_queue(
                RabbitQueue(
                    f"{name}.retry",
                    durable=True,
                    arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": name},
                )
            )
            await broker.declare_queue(RabbitQueue(f"{name}.dlq", durable=True))


def _subscribe(consumer: _Consumer, registration: _Registration) -> None:
    queue = RabbitQueue(
        registration.queue,
        durable=True,
        routing_key=registration.event_cls.routing_key,
        # A message rejected by the broker itself (not by us) still ends in the DLQ.
        arguments={
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": f"{registration.queue}.dlq",
        },
    )
    channel = Channel(prefetch_count=registration.prefetch) if registration.prefetch else None

    async def consume(msg: RabbitMessage) -> None:
        raw: IncomingMessage = msg.raw_message
        try:
            await _handle(consumer, registration, raw)
        except Exception:
            # Could not even park the message for a retry (broker trouble): let it come back.
            log.exception("could not settle message on %s; requeueing", registration.queue)
            await msg.nack(requeue=True)
            return
        await msg.ack()

    consumer.broker.subscriber(
        queue,
        EVENTS_EXCHANGE,
        channel=channel,
        ack_policy=AckPolicy.MANUAL,
        title=registration.queue,
        description=(registration.handler.__doc__ or "").strip() or None,
    )(consume)


async def _run_handler(
    consumer: _Consumer, registration: _Registration, event: IntegrationEvent, envelope: EventEnvelope
) -> None:
    """The handler in its unit of work: the inbox claim, the effect and the outbox rows commit together."""
    ctx = EventContext(envelope, consumer.parts)
    if registration.spans_transactions:
        await registration.handler(consumer.db, event, ctx)
        return
    async with consumer.db.transaction() as session:
        if await claim_event(session, envelope, registration.queue):
            await registration.handler(session, event, ctx)


async def _handle(consumer: _Consumer, registration: _Registration, raw: IncomingMessage) -> None:
    broker, settings = consumer.broker, consumer.settings
    headers: dict[str, Any] = dict(raw.headers or {})
    event_type = registration.event_cls.event_type
    try:
        envelope = EventEnvelope.model_validate_json(raw.body)
        event = registration.event_cls.model_validate(envelope.data)
    except ValidationError as exc:
        await _dead_letter(broker, registration.queue, raw, headers, f"invalid message: {exc}")
        return

    retries = int(headers.get(RETRY_COUNT_HEADER, 0))
    current_delivery.set(Delivery(registration.queue, bool(raw.redelivered), retries))
    carrier = {k: str(v) for k, v in headers.items() if isinstance(v, str | bytes)}
    with tracer.start_as_current_span(
        f"{registration.queue} process",
        context=propagate.extract(carrier),
        kind=trace.SpanKind.CONSUMER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.destination.name": registration.queue,
            "messaging.message.id": str(envelope.event_id),
            "scoremate.event_type": envelope.type,
        },
    ) as span:
        try:
            await _run_handler(consumer, registration, event, envelope)
        except PermanentEventError as exc:
            span.record_exception(exc)
            await _dead_letter(broker, registration.queue, raw, headers, str(exc))
            return
        except RetryLater as exc:
            log.info(
                "event %s on %s waits %.1fs: %s", envelope.event_id, registration.queue, exc.seconds, exc
            )
            await broker.publish(
                raw.body,
                queue=f"{registration.queue}.retry",
                persist=True,
                expiration=exc.seconds,
                message_id=raw.message_id,
                content_type=raw.content_type,
                headers={**headers, "x-last-error": str(exc)[:500]},
            )
            return
        except Exception as exc:
            span.record_exception(exc)
            span.set_status(trace.StatusCode.ERROR)
            metrics.events_failed.labels(event_type=event_type, queue=registration.queue).inc()
            if retries >= settings.consumer_max_retries:
                log.exception("event %s failed %d times", envelope.event_id, retries + 1)
                await _dead_letter(broker, registration.queue, raw, headers, repr(exc))
                return
            delay = min(
                settings.consumer_retry_base_seconds * 2**retries, settings.consumer_retry_max_delay_seconds
            )
            log.warning(
                "event %s on %s failed (%r); retry %d in %.1fs",
                envelope.event_id,
                registration.queue,
                exc,
                retries + 1,
                delay,
            )
            await broker.publish(
                raw.body,
                queue=f"{registration.queue}.retry",
                persist=True,
                expiration=delay,
                message_id=raw.message_id,
                content_type=raw.content_type,
                headers={
                    **headers,
                    RETRY_COUNT_HEADER: retries + 1,
                    "x-last-error": repr(exc)[:500],
                },
            )
            return
    metrics.events_consumed.labels(event_type=event_type, queue=registration.queue).inc()


async def _dead_letter(
    broker: RabbitBroker, queue: str, raw: IncomingMessage, headers: dict[str, Any], reason: str
) -> None:
    log.error("dead-lettering message %s from %s: %s", raw.message_id, queue, reason[:500])
    metrics.events_dead_lettered.labels(queue=queue).inc()
    await broker.publish(
        raw.body,
        queue=f"{queue}.dlq",
        persist=True,
        message_id=raw.message_id,
        content_type=raw.content_type,
        headers={**headers, "x-dead-letter-reason": reason[:1000]},
    )
