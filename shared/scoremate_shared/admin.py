"""What every service offers its operators: dead-letter queues to inspect and replay, and the
record of every admin action (an event the files service keeps in the access log)."""

from typing import Annotated

import aio_pika
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.auth import AdminUser, Principal
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.errors import NotFound
from scoremate_shared.events import AdminActionRecordedV1
from scoremate_shared.messaging.broker import RETRY_COUNT_HEADER
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.telemetry.logs import request_id_var


async def record_admin_action(
    session: AsyncSession, service: str, admin: Principal, action: str, target: str
) -> None:
    """Write the admin action's event into the outbox of the session's transaction."""
    await add_event(
        session,
        AdminActionRecordedV1(
            actor_id=admin.user_id,
            service=service,
            action=action,
            target=target,
            request_id=request_id_var.get(),
        ),
        service,
    )


class DeadLetterQueue(BaseModel):
    queue: str
    dead_letters: int


class ReplayOut(BaseModel):
    queue: str
    replayed: int


def dead_letter_router(service: str, queues: list[str], amqp_url: str) -> APIRouter:
    router = APIRouter(prefix=f"/admin/dead-letters/{service}", tags=["admin"])

    def known(queue: str) -> str:
        if queue not in queues:
            raise NotFound(f"{service} consumes no queue named {queue}")
        return queue

    # One router per service under the same tag: the service in the id keeps ids unique in the
    # gateway's merged document.
    @router.get(
        "",
        summary="Dead-lettered messages per queue of this service",
        operation_id=f"admin.{service}DeadLetters",
    )
    async def list_dead_letters(admin: AdminUser) -> list[DeadLetterQueue]:
        """How many messages wait in each `<queue>.dlq`."""
        connection = await aio_pika.connect_robust(amqp_url, timeout=5)
        async with connection, connection.channel() as channel:
            result = []
            for queue in queues:
                declared = await channel.declare_queue(f"{queue}.dlq", passive=True)
                result.append(
                    DeadLetterQueue(queue=queue, dead_letters=declared.declaration_result.message_count or 0)
                )
            return result

    @router.post(
        "/{queue}/replay",
        summary="Send dead-lettered messages back to their queue",
        operation_id=f"admin.{service}ReplayDeadLetters",
    )
    async def replay_dead_letters(
        admin: AdminUser,
        session: SessionDep,
        queue: Annotated[str, Path(max_length=200)],
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> ReplayOut:
        """Each message goes back with its retry count reset; consumers are idempotent."""
        known(queue)
        replayed = 0
        connection = await aio_pika.connect_robust(amqp_url, timeout=5)
        async with connection, connection.channel(publisher_confirms=True) as channel:
            dead = await channel.declare_queue(f"{queue}.dlq", passive=True)
            while replayed < limit:
                message = await dead.get(no_ack=False, fail=False)
                if message is None:
                    break
                headers = {
                    k: v
                    for k, v in (message.headers or {}).items()
                    if k not in (RETRY_COUNT_HEADER, "x-dead-letter-reason", "x-last-error")
                }
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        message.body,
                        headers=headers,
                        content_type=message.content_type,
                        message_id=message.message_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=queue,
                )
                await message.ack()
                replayed += 1
        await record_admin_action(session, service, admin, "replay_dead_letters", f"{queue} ({replayed})")
        return ReplayOut(queue=queue, replayed=replayed)

    return router
