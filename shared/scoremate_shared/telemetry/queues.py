"""Queue depth as the service sees it, for /metrics: a passive declare on a channel of its own."""

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from scoremate_shared.telemetry import metrics


class QueueDepthProbe:
    def __init__(self, amqp_url: str, queues: list[str]) -> None:
        self._amqp_url = amqp_url
        self._queues = queues
        self._connection: AbstractRobustConnection | None = None

    async def refresh(self) -> None:
        if not self._queues:
            return
        if self._connection is None:
            self._connection = await aio_pika.connect_robust(self._amqp_url, timeout=2)
        # A fresh channel per scrape: a passive declare of a missing queue closes its channel.
        async with self._connection.channel() as channel:
            for name in self._queues:
                queue = await channel.declare_queue(name, passive=True)
                count = queue.declaration_result.message_count
                metrics.queue_depth.labels(queue=name).set(count or 0)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
