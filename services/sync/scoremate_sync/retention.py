"""Tombstones past the retention go, and the feeds' horizons rise past them (a cursor below its
feed's horizon is 410: it would miss those deletions). A flow of several transactions (a batch of
users each), so it takes the Database."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from scoremate_shared.db import Database
from scoremate_sync.models import Entity, Feed
from scoremate_sync.settings import SyncSettings

# Users whose tombstones one transaction prunes.
BATCH = 500
# One pruner at a time across every worker and replica; the others skip the round.
_PRUNE_LOCK = "scoremate-sync-prune"


class TombstonePruner:
    def __init__(self, settings: SyncSettings) -> None:
        self.retention = timedelta(days=settings.sync_tombstone_retention_days)

    async def prune(self, db: Database, now: datetime | None = None, batch: int = BATCH) -> int:
        """Delete the tombstones older than the retention; how many went."""
        cutoff = (now or datetime.now(UTC)) - self.retention
        pruned = 0
        while True:
            async with db.transaction() as session:
                if not await session.scalar(
                    sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtext(_PRUNE_LOCK)))
                ):
                    return pruned
                expired = sa.and_(Entity.deleted.is_(True), Entity.changed_at < cutoff)
                # The feed rows first, in a fixed order, as every change takes them: no deadlock
                # with a change of the same user.
                users = list(
                    await session.scalars(
                        sa.select(Feed.user_id)
                        .where(
                            Feed.user_id.in_(sa.select(Entity.user_id).where(expired).distinct().limit(batch))
                        )
                        .order_by(Feed.user_id)
                        .with_for_update()
                    )
                )
                if not users:
                    break
                gone = (
                    await session.execute(
                        sa.delete(Entity)
                        .where(expired, Entity.user_id.in_(users))
                        .returning(Entity.user_id, Entity.seq)
                    )
                ).all()
                horizons: dict[uuid.UUID, int] = {}
                for user_id, seq in gone:
                    horizons[user_id] = max(seq, horizons.get(user_id, 0))
                for user_id, horizon in horizons.items():
                    await session.execute(
                        sa.update(Feed)
                        .where(Feed.user_id == user_id)
                        .values(horizon=sa.func.greatest(Feed.horizon, horizon))
                    )
                pruned += len(gone)
        async with db.transaction() as session:
            # Deleted accounts: after the retention no event of theirs is still on its way.
            await session.execute(sa.delete(Feed).where(Feed.erased_at < cutoff))
        return pruned
