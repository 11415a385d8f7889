"""Sync decisions: how an event changes a user's feed, and what a device is answered."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage
from scoremate_sync.cursors import START_AGAIN, CursorCodec, CursorExpired
from scoremate_sync.models import ChangeOp, Entity, EntityKind, Feed
from scoremate_sync.settings import SyncSettings

# SQL below is built from these constants and $n placeholders only; every value is a parameter.
_ENTITY_COLUMNS = "kind, entity_id, version, deleted, body, seq"
# One statement, so one snapshot: the horizon, the head and the rows agree (a prune or a change
# committing between two statements could otherwise hide a tombstone or skip a row).
PAGE_SQL = f"""
SELECT f.seq AS head, f.horizon, e.kind, e.entity_id, e.version, e.deleted, e.body, e.seq
FROM feeds f
LEFT JOIN LATERAL (
    SELECT {_ENTITY_COLUMNS} FROM entities
    WHERE user_id = f.user_id AND seq > $2 AND ($4 OR NOT deleted)
    ORDER BY seq LIMIT $3
) e ON true
WHERE f.user_id = $1 AND f.erased_at IS NULL
"""  # noqa: S608
AFTER_SQL = f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"  # noqa: S608
POSITION_SQL = "SELECT seq, horizon FROM feeds WHERE user_id = $1 AND erased_at IS NULL"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedPosition:
    """Where a user's feed stands: the last number handed out, and the oldest a cursor may name."""

    head: int
    horizon: int

    def serves(self, seq: int) -> bool:
        """Whether every change after `seq` can still be told (no tombstone after it was pruned,
        and not a position the feed never reached, as after a restore from a backup)."""
        return self.horizon <= seq <= self.head


@dataclass(frozen=True)
class Change:
    seq: int
    body: dict[str, Any]


class SyncService:
    def __init__(self, settings: SyncSettings, storage: ObjectStorage, cursors: CursorCodec) -> None:
        self.settings = settings
        self.storage = storage
        self.cursors = cursors
        # NOTIFY channel of this schema's feeds (schema-qualified: one database serves every service).
        self.channel = f"{settings.db_schema}_changes"

    # --- what the bus tells ------------------------------------------------------------------

    async def apply_upsert(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        kind: EntityKind,
        entity_id: uuid.UUID,
        version: int,
        body: dict[str, Any],
    ) -> bool:
        """Store the entity's new state as the user's next change; False when it is not newer than
        what is stored (a late or repeated delivery never rolls back) or the entity was deleted."""
        current = await self._stored(session, user_id, kind, entity_id)
        if current is not None and (current.deleted or current.version >= version):
            return False
        return await self._write(session, user_id, kind, entity_id, version, body)

    async def apply_delete(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        kind: EntityKind,
        entity_id: uuid.UUID,
        version: int | None = None,
    ) -> bool:
        """Leave a tombstone as the user's next change. Ids are never reused, so a tombstone is
        final: its version is above any the entity had, and nothing upserts over it."""
        current = await self._stored(session, user_id, kind, entity_id)
        if current is not None and current.deleted:
            return False
        known = current.version if current is not None else 0
        # ScoreDeleted carries no version: one above the last seen will do, the tombstone being final.
        return await self._write(session, user_id, kind, entity_id, max(known + 1, version or 0), None)

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """The account is gone: every entity goes, and the feed stays marked erased (until the
        retention passes) so that an event still on its way recreates nothing."""
        now = datetime.now(UTC)
        # The feed row first, as every change takes it: the same lock order, no deadlock.
        await session.execute(
            insert(Feed)
            .values(user_id=user_id, erased_at=now)
            .on_conflict_do_update(index_elements=[Feed.user_id], set_={"erased_at": now})
        )
        await session.execute(sa.delete(Entity).where(Entity.user_id == user_id))
        await self._notify(session, user_id)

    async def _stored(
        self, session: AsyncSession, user_id: uuid.UUID, kind: EntityKind, entity_id: uuid.UUID
    ) -> sa.Row[tuple[int, bool]] | None:
        return (
            await session.execute(
                sa.select(Entity.version, Entity.deleted).where(
                    Entity.user_id == user_id, Entity.kind == kind, Entity.entity_id == entity_id
                )
            )
        ).one_or_none()

    async def _write(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        kind: EntityKind,
        entity_id: uuid.UUID,
        version: int,
        body: dict[str, Any] | None,
    ) -> bool:
        seq = await self._next_seq(session, user_id)
        if seq is None:
            return False  # the account was deleted
        excluded = insert(Entity).excluded
        written = await session.scalar(
            insert(Entity)
            .values(
                user_id=user_id,
                kind=kind,
                entity_id=entity_id,
                version=version,
                deleted=body is None,
                body=body,
                seq=seq,
                changed_at=datetime.now(UTC),
            )
            .on_conflict_do_update(
                index_elements=[Entity.user_id, Entity.kind, Entity.entity_id],
                set_={
                    "version": excluded.version,
                    "deleted": excluded.deleted,
                    "body": excluded.body,
                    "seq": excluded.seq,
                    "changed_at": excluded.changed_at,
                },
                # The check above read without a lock; this one decides. When it refuses (a newer
                # version of a concurrent delivery won), the number taken stays unused: a gap,
                # which a reader never notices.
                where=sa.and_(Entity.deleted.is_(False), Entity.version < excluded.version),
            )
            .returning(Entity.seq)
        )
        if written is None:
            return False
        await self._notify(session, user_id)
        return True

    async def _next_seq(self, session: AsyncSession, user_id: uuid.UUID) -> int | None:
        """The user's next sequence number, None for an erased account.

        The UPDATE locks the user's feed row until this transaction ends, so another change of the
        same user waits for this one to commit (or roll back) before it takes the next number:
        one user's numbers become visible in the order they were handed out. A reader that has
        seen number N has seen every change below N, and never moves its cursor past a change
        that commits later with a smaller number.
        """
        seq: int | None = await session.scalar(
            insert(Feed)
            .values(user_id=user_id, seq=1)
            .on_conflict_do_update(
                index_elements=[Feed.user_id], set_={"seq": Feed.seq + 1}, where=Feed.erased_at.is_(None)
            )
            .returning(Feed.seq)
        )
        return seq

    async def _notify(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        # Delivered by PostgreSQL when (and only if) the transaction commits, to every streaming
        # worker of every replica (stream.py); repeats within one transaction are folded into one.
        await session.execute(sa.select(sa.func.pg_notify(self.channel, str(user_id))))

    # --- what a device is answered -----------------------------------------------------------

    async def page(self, db: Database, user: Principal, cursor: str | None, limit: int) -> dict[str, Any]:
        """GET /sync: the user's changes after `cursor` in commit order, or without a cursor
        everything current (no tombstones: a fresh device has nothing to delete)."""
        after = self.cursors.decode(user.user_id, cursor) if cursor is not None else 0
        rows = await db.fetch(PAGE_SQL, user.user_id, after, limit + 1, cursor is not None)
        position = FeedPosition(rows[0]["head"], rows[0]["horizon"]) if rows else FeedPosition(0, 0)
        if cursor is not None and not position.serves(after):
            raise CursorExpired(
                f"Changes after this cursor are no longer all known (deletions are kept "
                f"{self.settings.sync_tombstone_retention_days} days). {START_AGAIN}"
            )
        entities = [row for row in rows if row["kind"] is not None]
        has_more = len(entities) > limit
        entities = entities[:limit]
        # Everything up to the head was in this snapshot: without more, resume from there (past
        # numbers a refused change left unused, and past tombstones a fresh device skipped).
        next_seq = entities[-1]["seq"] if has_more else max(position.head, after)
        return {
            "changes": [self.change_json(row) for row in entities],
            "next_cursor": self.cursors.encode(user.user_id, next_seq),
            "has_more": has_more,
        }

    async def position(self, db: Database, user_id: uuid.UUID) -> FeedPosition:
        rows = await db.fetch(POSITION_SQL, user_id)
        return FeedPosition(rows[0]["seq"], rows[0]["horizon"]) if rows else FeedPosition(0, 0)

    async def changes_after(self, db: Database, user_id: uuid.UUID, after: int, limit: int) -> list[Change]:
        """The user's changes after `after`, tombstones included, in commit order."""
        rows = await db.fetch(AFTER_SQL, user_id, after, limit)
        return [Change(row["seq"], self.change_json(row)) for row in rows]

    def change_json(self, row: Mapping[str, Any]) -> dict[str, Any]:
        deleted = row["deleted"]
        return {
            "kind": row["kind"],
            "id": row["entity_id"],
            "op": ChangeOp.DELETE if deleted else ChangeOp.UPSERT,
            "version": row["version"],
            "data": None if deleted else self._data(row["kind"], row["body"], row["version"]),
        }

    def _data(self, kind: str, body: dict[str, Any], version: int) -> dict[str, Any]:
        if kind == EntityKind.THUMBNAILS:
            return body
        # As GET /scores/{id} and GET /setlists/{id} show it: with the version, the ETag a device
        # sends back as If-Match.
        data = {name: value for name, value in body.items() if name != "cover_key"}
        data["version"] = version
        if kind != EntityKind.SCORE:
            return data
        cover = body.get("cover_key")
        # Signed now (local computation): a stored URL would have expired long ago. Only a ready
        # score shows its cover, as GET /scores/{id} does.
        data["thumbnail_url"] = (
            self.storage.presign_get(cover)[0] if cover and body.get("status") == "ready" else None
        )
        return data

    def cursor(self, user_id: uuid.UUID, seq: int) -> str:
        return self.cursors.encode(user_id, seq)


def thumbnails_body(score_id: uuid.UUID, pages_done: int, pages_total: int, *, done: bool) -> dict[str, Any]:
    return {"score_id": str(score_id), "pages_done": pages_done, "pages_total": pages_total, "done": done}


def microseconds(moment: datetime) -> int:
    """An event's time as a version: for the processor's thumbnail events, which carry none."""
    return (moment - _EPOCH) // timedelta(microseconds=1)
