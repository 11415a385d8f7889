"""Tables of the processor schema."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata

# A task's log keeps its latest lines only.
LOG_LINES_KEPT = 200


class Base(DeclarativeBase):
    metadata = new_metadata()


class TaskKind(StrEnum):
    """What a task does (the stored value, the API's `kind` and the job message's)."""

    PDF_INFO = "pdf_info"
    THUMBNAIL = "thumbnail"
    LAYOUT_HOOK = "layout_hook"


class TaskStatus(StrEnum):
    """A task's life: PENDING until a job leases it, RUNNING under a lease, then SUCCEEDED or
    FAILED until it is run again (the stored value and the API's `status`)."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


# Asking for one of these again returns it as it is.
ACTIVE_STATUSES = (TaskStatus.PENDING, TaskStatus.RUNNING)
FINISHED_STATUSES = (TaskStatus.SUCCEEDED, TaskStatus.FAILED)


class Task(Base):
    """One job on one score; (score_id, kind) is unique, so asking again returns the same task."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.UniqueConstraint("score_id", "kind", name="uq_tasks_score_kind"),
        # The admin listing filters by status.
        sa.Index("ix_tasks_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    kind: Mapped[str] = mapped_column(sa.Text)  # TaskKind
    status: Mapped[str] = mapped_column(sa.Text, default=TaskStatus.PENDING)  # TaskStatus
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

    def note(self, message: str) -> None:
        """Add a timestamped line to the log (the API shows it) and mark the task changed."""
        now = datetime.now(UTC)
        self.log = [*(self.log or []), f"{now.strftime('%Y-%m-%dT%H:%M:%SZ')} {message}"][-LOG_LINES_KEPT:]
        self.updated_at = now


class ThumbnailRefreshes(Base):
    """The times a user asked for their thumbnails again within the last hour: the per-user limit
    of `POST /tasks/refresh-thumbnails`, shared by every processor instance (its row is locked
    while a call is counted)."""

    __tablename__ = "thumbnail_refreshes"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    requested_at: Mapped[list[datetime]] = mapped_column(ARRAY(sa.DateTime(timezone=True)), default=list)
