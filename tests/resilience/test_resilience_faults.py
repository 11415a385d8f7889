"""While uploads flow, break one part after another; afterwards nothing is lost or doubled.

The short faults run in `make test`; the 20-second outages and the SIGKILL of every service are
marked `resilience` and run with `make test-resilience`.
"""

import asyncio
import contextlib
import signal

import aio_pika
import pytest

from scoremate_stack.config import SERVICES
from tests.resilience.faults import assert_settled, uploads_flowing
from tests.support import ApiClient

pytestmark = pytest.mark.stack


# Services killed together, a pair at a time: each dies mid-flow while the others keep going, and
# the restarts overlap (a service starts while the one it talks to through the bus is starting).
KILLED_TOGETHER = [SERVICES[i : i + 2] for i in range(0, len(SERVICES), 2)]


@pytest.mark.resilience  # restarts all seven services: minutes, so `make test-resilience` runs it
async def test_sigkill_of_each_service_in_turn_loses_nothing(api: ApiClient, stack):
    user = await api.register()
    async with uploads_flowing(api, user, at_least=8) as flow:
        for services in KILLED_TOGETHER:
            await asyncio.sleep(0.5)
            for service in services:
                stack.kill(service, signal.SIGKILL)
            for service in services:
                stack.start(service, wait=False)
            await asyncio.gather(*(asyncio.to_thread(stack.wait_service_ready, s) for s in services))
    await assert_settled(stack, api, flow)


async def test_postgresql_restart_loses_nothing(api: ApiClient, stack):
    user = await api.register()
    async with uploads_flowing(api, user, at_least=4) as flow:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.restart, "postgres")
    await assert_settled(stack, api, flow)


@contextlib.asynccontextmanager
async def every_message_twice(amqp_url: str):
    """A tap on the events exchange that publishes every event a second time, same id and body."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange("scoremate.events")
    tap = await channel.declare_queue("", exclusive=True)
    await tap.bind(exchange, "#")

    async def duplicate(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            if (message.headers or {}).get("x-test-duplicate"):
                return
            await exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers={**(message.headers or {}), "x-test-duplicate": 1},
                    message_id=message.message_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=message.routing_key or "",
            )

    await tap.consume(duplicate)
    try:
        yield
    finally:
        await connection.close()


async def test_every_message_delivered_twice_is_handled_once(api: ApiClient, stack):
    user = await api.register()
    async with every_message_twice(stack.amqp_url), uploads_flowing(api, user, at_least=4) as flow:
        await asyncio.sleep(2)
    await assert_settled(stack, api, flow)


@pytest.mark.resilience
async def test_rabbitmq_stopped_for_20_seconds_loses_nothing(api: ApiClient, stack):
    user = await api.register()
    async with uploads_flowing(api, user, at_least=4) as flow:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.stop, "rabbitmq")
        await asyncio.sleep(20)
        await asyncio.to_thread(stack.start, "rabbitmq")
    await assert_settled(stack, api, flow, timeout=180)


@pytest.mark.resilience
async def test_s3_stopped_for_20_seconds_loses_nothing(api: ApiClient, stack):
    user = await api.register()
    async with uploads_flowing(api, user, at_least=4) as flow:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.stop, "s3")
        await asyncio.sleep(20)
        await asyncio.to_thread(stack.start, "s3")
    await assert_settled(stack, api, flow, timeout=180)
