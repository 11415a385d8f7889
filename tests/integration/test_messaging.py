"""Outbox and inbox against the real PostgreSQL and RabbitMQ of the test stack."""

import asyncio
import json
import uuid

import aio_pika
import pytest
import sqlalchemy as sa

from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, ScoreDeletedV1
from scoremate_shared.messaging.broker import create_broker
from scoremate_shared.messaging.inbox import claim_event
from scoremate_shared.messaging.outbox import OutboxRelay, add_event
from scoremate_shared.messaging.revisions import create_messaging_tables, drop_outbox_bookkeeping
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.settings import ServiceSettings

pytestmark = pytest.mark.stack


@pytest.fixture
async def messaging(stack):
    """A throw-away schema with outbox and inbox, a broker and a relay, as a service has them."""
    schema = f"msgtest_{uuid.uuid4().hex[:8]}"
    settings = ServiceSettings(
        service_name="msgtest",
        database_url=stack.superuser_database_url,
        db_schema=schema,
        amqp_url=stack.amqp_url,
        jwks_url="http://127.0.0.1:1/unused",
        environment="development",  # the test stack's own credentials
    )
    db = Database(settings)
    async with db.engine.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        await conn.execute(sa.text(f'SET search_path TO "{schema}"'))
        await conn.run_sync(create_messaging_tables)
        await conn.run_sync(drop_outbox_bookkeeping)
    broker = create_broker(settings)
    await broker.start()
    relay = OutboxRelay(db, broker, poll_seconds=0.2, batch_size=10)

    connection = await aio_pika.connect_robust(stack.amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("scoremate.events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue("", exclusive=True)
    await queue.bind(exchange, ScoreDeletedV1.routing_key)
    try:
        yield db, relay, queue
    finally:
        await relay.stop()
        await broker.stop()
        await connection.close()
        async with db.engine.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await db.dispose()


async def _received(queue, timeout: float = 3.0) -> list[dict]:
    bodies = []
    try:
        async with queue.iterator(timeout=timeout) as messages:
            async for message in messages:
                bodies.append({"body": json.loads(message.body), "headers": dict(message.headers)})
                await message.ack()
    except TimeoutError:
        pass
    return bodies


def _event() -> ScoreDeletedV1:
    return ScoreDeletedV1(score_id=uuid.uuid4(), user_id=uuid.uuid4())


async def test_committed_event_is_published_once_and_rolled_back_one_never(messaging):
    db, relay, queue = messaging
    relay.start()
    kept, dropped = _event(), _event()
    async with db.session() as session:
        await add_event(session, dropped, "msgtest")
        await session.rollback()
    async with db.session() as session:
        envelope = await add_event(session, kept, "msgtest")
        await session.commit()

    received = await _received(queue)
    assert [r["body"]["event_id"] for r in received] == [str(envelope.event_id)]
    assert received[0]["body"]["data"]["score_id"] == str(kept.score_id)
    async with db.session() as session:
        pending = await session.scalar(
            sa.select(sa.func.count()).select_from(outbox_table).where(outbox_table.c.published_at.is_(None))
        )
    assert pending == 0


async def test_rows_written_while_no_relay_runs_are_published_in_order_later(messaging):
    db, relay, queue = messaging
    events = [_event() for _ in range(15)]
    async with db.session() as session:
        for event in events:
            await add_event(session, event, "msgtest")
        await session.commit()
    assert await _received(queue, timeout=0.5) == []

    relay.start()
    received = await _received(queue)
    assert [r["body"]["data"]["score_id"] for r in received] == [str(e.score_id) for e in events]


async def test_inbox_lets_one_of_two_concurrent_duplicates_through(messaging):
    db, _, _ = messaging
    envelope = EventEnvelope.wrap(_event(), "msgtest")

    async def claim() -> bool:
        async with db.session() as session:
            claimed = await claim_event(session, envelope, "msgtest.consumer")
            await asyncio.sleep(0.2)  # hold the transaction open so the two overlap
            await session.commit()
            return claimed

    results = await asyncio.gather(claim(), claim())
    assert sorted(results) == [False, True]
    async with db.session() as session:
        assert await claim_event(session, envelope, "msgtest.other-consumer")
