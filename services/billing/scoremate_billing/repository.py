"""Billing's queries: sums of the usage ledger, appending to it, and the pages of accounts and
history (the decisions that use them are in service.py)."""

import uuid
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.models import Account, HistoryEntry, UsageEntry, UsageReason


async def used_bytes(session: AsyncSession, user_id: uuid.UUID) -> int:
    used = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(UsageEntry.delta_bytes), 0)).where(
            UsageEntry.user_id == user_id
        )
    )
    return int(used or 0)


async def used_bytes_of_users(session: AsyncSession, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        sa.select(UsageEntry.user_id, sa.func.sum(UsageEntry.delta_bytes))
        .where(UsageEntry.user_id.in_(list(user_ids)))
        .group_by(UsageEntry.user_id)
    )
    return {user_id: int(total or 0) for user_id, total in rows.all()}


async def scores_in_use(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Scores whose entries still add up to stored bytes."""
    per_score = (
        sa.select(UsageEntry.score_id)
        .where(UsageEntry.user_id == user_id, UsageEntry.score_id.is_not(None))
        .group_by(UsageEntry.score_id)
        .having(sa.func.sum(UsageEntry.delta_bytes) > 0)
        .subquery()
    )
    return int(await session.scalar(sa.select(sa.func.count()).select_from(per_score)) or 0)


async def score_bytes(
    session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID, reasons: Sequence[UsageReason]
) -> int:
    """What the score's entries of these reasons add up to."""
    total = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(UsageEntry.delta_bytes), 0)).where(
            UsageEntry.user_id == user_id, UsageEntry.score_id == score_id, UsageEntry.reason.in_(reasons)
        )
    )
    return int(total or 0)


async def score_released(session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID) -> bool:
    released = await session.scalar(
        sa.select(UsageEntry.event_id)
        .where(
            UsageEntry.user_id == user_id,
            UsageEntry.score_id == score_id,
            UsageEntry.reason == UsageReason.STORAGE_RELEASED,
        )
        .limit(1)
    )
    return released is not None


async def append_usage(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    user_id: uuid.UUID,
    score_id: uuid.UUID | None,
    delta_bytes: int,
    reason: UsageReason,
) -> bool:
    """One ledger entry keyed by the causing event's id; False when that id was counted already."""
    inserted = await session.scalar(
        insert(UsageEntry)
        .values(event_id=event_id, user_id=user_id, score_id=score_id, delta_bytes=delta_bytes, reason=reason)
        .on_conflict_do_nothing(index_elements=[UsageEntry.event_id])
        .returning(UsageEntry.event_id)
    )
    return inserted is not None


async def account_email(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    return await session.scalar(sa.select(Account.email).where(Account.user_id == user_id))


def accounts_newest_first() -> sa.Select[tuple[Account]]:
    return sa.select(Account).order_by(Account.created_at.desc(), Account.user_id)


def history_newest_first(user_id: uuid.UUID) -> sa.Select[tuple[HistoryEntry]]:
    return (
        sa.select(HistoryEntry)
        .where(HistoryEntry.user_id == user_id)
        .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
    )
