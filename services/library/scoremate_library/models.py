"""Tables of the library schema."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class ScoreStatus(StrEnum):
    """A score's life: processing until its pages and cover are in; failed when its file was
    refused or processing gave up (the stored value and the API's `status`)."""

    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Score(Base):
    """A score of the user's library; its id is the upload's score_id."""

    __tablename__ = "scores"
    __table_args__ = (
        # Page 1 newest first; search and tag filters within one user's library.
        sa.Index("ix_scores_user_created", "user_id", sa.text("created_at DESC"), "id"),
        sa.Index(
            "ix_scores_user_search_doc",
            "user_id",
            "search_doc",
            postgresql_using="gin",
            postgresql_ops={"search_doc": "gin_trgm_ops"},
        ),
        sa.Index("ix_scores_user_tags", "user_id", "tags_norm", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(sa.Text)
    composer: Mapped[str | None] = mapped_column(sa.Text)
    instrumentation: Mapped[str | None] = mapped_column(sa.Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    # Case-folded copies of the tags, for matching (the original case is kept for display).
    tags_norm: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    note: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, default=ScoreStatus.PROCESSING)
    error: Mapped[str | None] = mapped_column(sa.Text)
    pages: Mapped[int | None] = mapped_column(sa.Integer)
    page_sizes: Mapped[list[Any] | None] = mapped_column(JSONB)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    mime: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.Text)
    object_key: Mapped[str] = mapped_column(sa.Text)
    cover_key: Mapped[str | None] = mapped_column(sa.Text)
    pdf_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Title, composer, instrumentation and note folded for search (a stored generated column).
    search_doc: Mapped[str | None] = mapped_column(
        sa.Text,
        sa.Computed(
            "search_text(title, coalesce(composer, ''), coalesce(instrumentation, ''), coalesce(note, ''))",
            persisted=True,
        ),
    )
    # When files announced the original stored and verified (ScoreUploaded); null before, and
    # forever for a refused upload. Not a change a client sees: set without a new version.
    uploaded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Fields the user left empty that were filled from the PDF's own metadata.
    filled_from_pdf: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    # Bumped by every change a client can see (the ETag; ScoreChanged's `version`): the ORM adds
    # 1 on each UPDATE it flushes and checks the old value in its WHERE.
    version: Mapped[int] = mapped_column(sa.Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())

    __mapper_args__ = {"version_id_col": version}


class ClaimedUpload(Base):
    """An upload a score was created from: its token never makes another score, even after the
    score is deleted (no personal data: the id is the upload's own)."""

    __tablename__ = "claimed_uploads"

    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class ScoreCount(Base):
    """How many scores each user has, and their library's version (bumped by every change to
    their scores), kept by a trigger on scores."""

    __tablename__ = "score_counts"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    scores: Mapped[int] = mapped_column(sa.BigInteger)
    version: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class Setlist(Base):
    """An ordered list of the user's scores, for a concert."""

    __tablename__ = "setlists"
    __table_args__ = (sa.Index("ix_setlists_user_created", "user_id", sa.text("created_at DESC"), "id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    # As Score.version; also bumped (by SQL) when a score in it is renamed or deleted.
    version: Mapped[int] = mapped_column(sa.Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())

    __mapper_args__ = {"version_id_col": version}


class SetlistItem(Base):
    """One place in a setlist; the same score may stand in several places."""

    __tablename__ = "setlist_items"

    setlist_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("setlists.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    score_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("scores.id", ondelete="CASCADE"), index=True
    )


class BackfillPhase(StrEnum):
    """Where the one-time publication of existing scores and setlists has got to."""

    SCORES = "scores"
    SETLISTS = "setlists"


class PendingBackfill(Base):
    """A snapshot publication still to do (sync_backfill.py): the row goes when it is done."""

    __tablename__ = "pending_backfills"

    name: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    phase: Mapped[BackfillPhase] = mapped_column(sa.Text)
    # The last id published in the phase (ids are walked in order).
    after_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
