"""The inbox: an event id handled once per consumer, recorded in the same transaction as its effect."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.events import EventEnvelope
from scoremate_shared.messaging.tables import inbox_table


async def claim_event(session: AsyncSession, envelope: EventEnvelope, consumer: str) -> bool:
    """Record the event as handled by `consumer`; False when it already was.

    A concurrent duplicate blocks on the primary key until the first transaction ends,
    then sees the conflict, so two deliveries never both apply.
    """
    result = await session.execute(
        insert(inbox_table)
        .values(event_id=envelope.event_id, consumer=consumer, event_type=envelope.type)
        .on_conflict_do_nothing()
        .returning(inbox_table.c.event_id)
    )
    return result.scalar_one_or_none() is not None
