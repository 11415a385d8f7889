"""Access tokens revoked before they expire: deleted accounts, signed-out sessions, changed roles.

Auth announces each revocation (AccessRevoked). Every service keeps them in its own
`revocations` table (the handler below, registered for every service by EventHandlers), and every
worker process of the service reads that table every second into a `RevocationList` that the
token verifier consults on each request. A revocation matters only while tokens issued before
it live (15 minutes), so rows are kept for an hour and then pruned.
"""

import asyncio
import logging
import math
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID, insert

from scoremate_shared.db import Database, new_metadata
from scoremate_shared.events import AccessRevokedV1, EventEnvelope

if TYPE_CHECKING:
    from alembic.operations import Operations

log = logging.getLogger(__name__)

ACCOUNT_DELETED = "account_deleted"

# Rows read again on each poll below the newest id seen: ids are handed out in insert order, but
# two transactions may commit out of it. Reading a row twice is harmless.
_REREAD = 50
_SELECT = "SELECT id, user_id, session_id, not_before, reason FROM revocations"


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("session_id", UUID(as_uuid=True), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


revocations_metadata = new_metadata()
revocations_table = sa.Table(
    "revocations", revocations_metadata, *_columns(), sa.Index("ix_revocations_created_at", "created_at")
)


def create_revocations_table(op: "Operations") -> None:
    """For each service's migration that adds the table (the same shape everywhere)."""
    op.create_table("revocations", *_columns())
    op.create_index("ix_revocations_created_at", "revocations", ["created_at"])


class RevocationList:
    """What one worker process knows of the revocations: answered from memory on every request."""

    def __init__(self) -> None:
        self._deleted_users: set[uuid.UUID] = set()
        self._users_not_before: dict[uuid.UUID, int] = {}
        self._sessions: set[uuid.UUID] = set()
        self.last_id = 0

    def add(
        self, user_id: uuid.UUID, session_id: uuid.UUID | None, not_before: datetime, reason: str
    ) -> None:
        if reason == ACCOUNT_DELETED:
            self._deleted_users.add(user_id)
        elif session_id is not None:
            self._sessions.add(session_id)  # a signed-out session never issues a token again
        else:
            # `iat` has whole seconds: a token of the revoking second itself stays (at most 1 s).
            cutoff = math.floor(not_before.timestamp())
            self._users_not_before[user_id] = max(cutoff, self._users_not_before.get(user_id, 0))

    def account_deleted(self, user_id: uuid.UUID) -> bool:
        return user_id in self._deleted_users

    def revoked(self, user_id: uuid.UUID, session_id: uuid.UUID | None, issued_at: int) -> bool:
        if session_id is not None and session_id in self._sessions:
            return True
        return issued_at < self._users_not_before.get(user_id, 0)


async def record_revocation(
    db: Database, reader: "RevocationReader", event: AccessRevokedV1, envelope: EventEnvelope
) -> None:
    """Keep the revocation, then read it into this worker at once (the others read it at their
    next poll, within a second): work after the commit, so it takes the database."""
    async with db.transaction() as session:
        await session.execute(
            insert(revocations_table)
            .values(
                event_id=envelope.event_id,
                user_id=event.user_id,
                session_id=event.session_id,
                not_before=event.not_before,
                reason=event.reason,
            )
            .on_conflict_do_nothing(index_elements=["event_id"])
        )
    await reader.refresh()


class RevocationReader:
    """Keeps a worker's RevocationList current from the service's table."""

    def __init__(self, db: Database, *, poll_seconds: float, retention: timedelta) -> None:
        self.db = db
        self.list = RevocationList()
        self._poll = poll_seconds
        self._retention = retention
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = float("-inf")

    async def refresh(self) -> None:
        if self.list.last_id == 0:  # first read: what still matters
            since = datetime.now(UTC) - self._retention
            rows: Any = await self.db.fetch(f"{_SELECT} WHERE created_at > $1 ORDER BY id", since)
        else:
            rows = await self.db.fetch(
                f"{_SELECT} WHERE id > $1 ORDER BY id", max(0, self.list.last_id - _REREAD)
            )
        for row in rows:
            self.list.add(row["user_id"], row["session_id"], row["not_before"], row["reason"])
            self.list.last_id = max(self.list.last_id, row["id"])

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="revocation-reader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        # start() follows a refresh of its own: the first poll waits one interval.
        while True:
            await asyncio.sleep(self._poll)
            try:
                await self.refresh()
                if time.monotonic() - self._pruned_at > 60:
                    await self._prune()
            except Exception:  # the database may be away: keep what we know, try again
                log.warning("could not read revocations", exc_info=True)

    async def _prune(self) -> None:
        async with self.db.transaction() as session:
            cutoff = datetime.now(UTC) - self._retention
            await session.execute(sa.delete(revocations_table).where(revocations_table.c.created_at < cutoff))
        self._pruned_at = time.monotonic()
