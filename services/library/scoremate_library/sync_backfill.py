"""The sync projection learns of scores and setlists from ScoreChanged and SetlistChanged. Those that
existed before the library published them (a deployment upgraded to it) are told once: revision
0011 leaves a pending backfill, and at start-up one worker publishes a snapshot of every score, then
of every setlist, one batch per transaction, remembering the last id done, and removes the mark at
the end. A crash resumes at the last committed batch on the next start. A snapshot carries the
row's version: the projection keeps it only if it holds nothing newer, so a score changed meanwhile
is never rolled back."""

import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import BackfillPhase, PendingBackfill, Score, Setlist
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.db import Database

log = logging.getLogger(__name__)

SYNC_SNAPSHOTS = "sync-snapshots"


class SyncBackfill:
    def __init__(
        self, db: Database, scores: ScoreService, setlists: SetlistService, batch_size: int = 500
    ) -> None:
        self.db = db
        self.scores = scores
        self.setlists = setlists
        self.batch_size = batch_size

    async def run(self) -> int:
        """Publish what is left; the number of snapshots this call published. Another worker
        already at it (its row locked) makes this one return at once."""
        published = 0
        while (batch := await self._next_batch()) is not None:
            published += batch
        if published:
            log.info("sync backfill: published %d snapshots", published)
        return published

    async def _next_batch(self) -> int | None:
        async with self.db.transaction() as session:
            mark = await session.scalar(
                sa.select(PendingBackfill)
                .where(PendingBackfill.name == SYNC_SNAPSHOTS)
                .with_for_update(skip_locked=True)
            )
            if mark is None:
                return None  # done, or another worker holds it
            if mark.phase == BackfillPhase.SCORES:
                last, count = await self._scores(session, mark.after_id)
                mark.phase, mark.after_id = (
                    (BackfillPhase.SCORES, last) if last else (BackfillPhase.SETLISTS, None)
                )
                return count
            last, count = await self._setlists(session, mark.after_id)
            if last:
                mark.after_id = last
            else:
                await session.delete(mark)
            return count

    async def _scores(self, session: AsyncSession, after: uuid.UUID | None) -> tuple[uuid.UUID | None, int]:
        query = sa.select(Score).order_by(Score.id).limit(self.batch_size)
        scores = (await session.scalars(query.where(Score.id > after) if after else query)).all()
        for score in scores:
            await self.scores.publish_snapshot(session, score)
        return (scores[-1].id if scores else None), len(scores)

    async def _setlists(self, session: AsyncSession, after: uuid.UUID | None) -> tuple[uuid.UUID | None, int]:
        query = sa.select(Setlist).order_by(Setlist.id).limit(self.batch_size)
        setlists = list((await session.scalars(query.where(Setlist.id > after) if after else query)).all())
        await self.setlists.publish_snapshots(session, setlists)
        return (setlists[-1].id if setlists else None), len(setlists)
