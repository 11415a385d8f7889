"""Tables of the processor schema."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Task(Base):
    """One job on one score; (score_id, kind) is unique, so asking again returns the same task."""

    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    kind: Mapped[str] = mapped_column(sa.Text)  # pdf_info | thumbnail | layout_hook
    status: Mapped[str] = mapped_column(sa.Text, default="PENDING")
    try_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    log: Mapped[list[str]] = mapped_column(JSONB, default=list)
    object_key: Mapped[str] = mapped_column(sa.Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # A RUNNING task whose lease passed was abandoned (its process died): another may take it.
    lease_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Which processor process holds the lease (a random id per process).
    lease_owner: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())

    __table_args__ = (sa.UniqueConstraint("score_id", "kind", name="uq_tasks_score_kind"),)
