"""Tables of the sync schema: every user's change feed, a projection of the library's and the
processor's events (never a read of their tables)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class EntityKind(StrEnum):
    """What a device syncs (the stored value and the API's `kind`)."""

    SCORE = "score"
    SETLIST = "setlist"
    # A score's page images: per-page progress while they render, then done.
    THUMBNAILS = "thumbnails"


class ChangeOp(StrEnum):
    """What a change tells a device to do with its copy (the API's `op`)."""

    UPSERT = "upsert"
    DELETE = "delete"


class Feed(Base):
    """One user's change feed: the last sequence number handed out, and the horizon below which
    tombstones were pruned (an older cursor cannot be served)."""

    __tablename__ = "feeds"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    horizon: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    # The account was deleted: its entities are gone, and a late event never brings them back.
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Entity(Base):
    """The latest state of one entity of a user (a tombstone once deleted), and the sequence
    number of its latest change: a device asks for the rows after the last number it has."""

    __tablename__ = "entities"
    __table_args__ = (
        # A user's changes in commit order; each number is used once.
        sa.Index("ix_entities_user_seq", "user_id", "seq", unique=True),
        # The prune's tombstones past the retention.
        sa.Index("ix_entities_tombstones", "changed_at", postgresql_where=sa.text("deleted")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The producer's version; a change at or below it is late or repeated and ignored.
    version: Mapped[int] = mapped_column(sa.BigInteger)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    # As the event carried it (a score keeps its cover_key: the URL is signed when answering);
    # null for a tombstone.
    body: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
