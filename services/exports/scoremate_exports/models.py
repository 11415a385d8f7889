"""Tables of the exports schema: exports and their parts, imports and what they created, the
projections they need (each user's quota and content hashes), and the monthly report's counts.
Each domain keeps to its own section below (exports/, imports/, reports/)."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata

# The producer of the events this schema's outbox holds, and of its admin actions.
PRODUCER = "exports"


class Base(DeclarativeBase):
    metadata = new_metadata()


# --- exports ------------------------------------------------------------------------------------


class ExportStatus(StrEnum):
    """collecting (the services write their parts) -> assembling (the ZIP is built) -> completed
    -> expired (swept); or failed."""

    COLLECTING = "collecting"
    ASSEMBLING = "assembling"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"


# An export still being made: a user has at most one at a time.
EXPORT_IN_PROGRESS = (ExportStatus.COLLECTING, ExportStatus.ASSEMBLING)


class ExportAdminAction(StrEnum):
    """What an admin did with exports (the access log shows them as `admin:<action>`)."""

    REQUEST = "export.request"
    DOWNLOAD = "export.download"
    LIST = "export.list"


class Export(Base):
    """One export of a user's whole library: the parts of its current attempt as they arrive
    (`parts`: part name -> the keys it wrote), then the archive."""

    __tablename__ = "exports"
    __table_args__ = (
        sa.Index("ix_exports_user_created", "user_id", "created_at"),
        sa.Index(
            "ux_exports_one_in_progress",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status IN ('collecting', 'assembling')"),
        ),
        sa.Index("ix_exports_expires", "expires_at", postgresql_where=sa.text("status = 'completed'")),
        # The sweeper's search for exports that stopped moving (a part never written, a dead build).
        sa.Index(
            "ix_exports_in_progress_updated",
            "updated_at",
            postgresql_where=sa.text("status IN ('collecting', 'assembling')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # The admin who asked for it (a data-subject request), or none: the user did.
    requested_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(sa.Text, default=ExportStatus.COLLECTING)
    attempt: Mapped[int] = mapped_column(sa.Integer, default=1)
    parts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # The moment the library and setlists of the archive are as of (the library's snapshot).
    as_of: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    archive_key: Mapped[str | None] = mapped_column(sa.Text)
    multipart_upload_id: Mapped[str | None] = mapped_column(sa.Text)
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    scores: Mapped[int | None] = mapped_column(sa.Integer)
    scores_packed: Mapped[int] = mapped_column(sa.Integer, default=0)
    setlists: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


# --- imports ------------------------------------------------------------------------------------


class ImportStatus(StrEnum):
    """awaiting_upload -> validating -> importing -> completed; or refused (a problem with the
    archive, nothing kept) or failed."""

    AWAITING_UPLOAD = "awaiting_upload"
    VALIDATING = "validating"
    IMPORTING = "importing"
    COMPLETED = "completed"
    REFUSED = "refused"
    FAILED = "failed"


class Import(Base):
    """One import of an archive into a user's library."""

    __tablename__ = "imports"
    __table_args__ = (
        sa.Index("ix_imports_user_created", "user_id", "created_at"),
        sa.Index(
            "ix_imports_awaiting_upload",
            "upload_expires_at",
            postgresql_where=sa.text("status = 'awaiting_upload'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(sa.Text, default=ImportStatus.AWAITING_UPLOAD)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    # Where the client PUTs (never read as is), and the copy the import reads.
    staging_key: Mapped[str] = mapped_column(sa.Text)
    archive_key: Mapped[str] = mapped_column(sa.Text)
    upload_expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    bytes_read: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    scores_total: Mapped[int] = mapped_column(sa.Integer, default=0)
    scores_stored: Mapped[int] = mapped_column(sa.Integer, default=0)
    scores_failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Each run of the check takes the next number and stops when the row has another (a
    # redelivery overtook it) or is gone (the user was erased).
    runs: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Extracted objects `scores/1.pdf` .. `scores/<n>.pdf` may exist (recorded before each is
    # written): what a refusal or an erasure deletes, as the service may not list the bucket; and
    # the multipart upload of the last one while it is sent.
    objects_written: Mapped[int] = mapped_column(sa.Integer, default=0)
    multipart_upload_id: Mapped[str | None] = mapped_column(sa.Text)
    # When the library announced the import's scores and setlists created (LibraryImported).
    library_imported_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # What the import did (created, duplicates skipped, setlists) once decided.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Why it was refused or failed: the problem document's type slug, title and detail.
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ImportedScoreStatus(StrEnum):
    """pending (handed on) -> stored (ScoreUploaded) or rejected (UploadRejected); skipped: files
    or the library left it out (a copy of it was uploaded meanwhile)."""

    PENDING = "pending"
    STORED = "stored"
    REJECTED = "rejected"
    SKIPPED = "skipped"


class ImportedScoreRow(Base):
    """A score an import creates: its progress from extraction to stored."""

    __tablename__ = "imported_scores"
    __table_args__ = (sa.Index("ix_imported_scores_import", "import_id"),)

    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    import_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    source_key: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, default=ImportedScoreStatus.PENDING)


class UserQuota(Base):
    """The user's quota and usage as billing last announced them (QuotaChanged)."""

    __tablename__ = "user_quotas"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    total_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    used_bytes: Mapped[int] = mapped_column(sa.BigInteger)


class UserContent(Base):
    """The content hash of each stored score of a user (ScoreUploaded, ScoreDeleted): an import
    skips what the library already has."""

    __tablename__ = "user_contents"
    __table_args__ = (sa.Index("ix_user_contents_hash", "user_id", "content_hash"),)

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # Null once the score is deleted: the row stays as a tombstone, so a ScoreUploaded that
    # arrives after the ScoreDeleted (another queue) does not bring the content back.
    content_hash: Mapped[str | None] = mapped_column(sa.Text)


# --- reports ------------------------------------------------------------------------------------


class ReportMetric(StrEnum):
    """The figures `monthly_counts` keeps (`detail` breaks failures down by reason and exports by
    outcome; empty otherwise)."""

    SIGNUPS = "signups"
    REFERRALS = "referrals"
    ACCOUNTS_DELETED = "accounts_deleted"
    UPLOADS = "uploads"
    UPLOAD_BYTES = "upload_bytes"
    PAGES_PROCESSED = "pages_processed"
    FAILURES = "failures"
    PLAN_CHANGES = "plan_changes"
    SCORES_DELETED = "scores_deleted"
    EXPORTS = "exports"
    IMPORTS = "imports"
    # A running total: the month's row is the sum of every user's latest usage when the month's
    # last change was counted; a month without a row carries the one before it.
    STORAGE_BYTES_IN_USE = "storage_bytes_in_use"
    # Active users of the month whose accounts were erased since (their rows went with them):
    # the month's figure stays what it was.
    ACTIVE_USERS_ERASED = "active_users_erased"


class MonthlyCount(Base):
    """One figure of one month (`metric`, and `detail` for a breakdown such as a failure's
    reason), kept as the bus tells of it."""

    __tablename__ = "monthly_counts"

    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    metric: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    detail: Mapped[str] = mapped_column(sa.Text, primary_key=True, default="")
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class MonthlyActiveUser(Base):
    """A user who did something in a month (counted once); erased with the account."""

    __tablename__ = "monthly_active_users"
    # The erasure finds a user's months without a scan.
    __table_args__ = (sa.Index("ix_monthly_active_users_user", "user_id"),)

    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)


class UserStorage(Base):
    """Each user's storage in use as billing last announced it (the report's running total moves
    by the difference); erased with the account."""

    __tablename__ = "user_storage"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    used_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    # When billing said so: a QuotaChanged older than this (a redelivery overtaken) is stale.
    as_of: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class MonthlyReportRun(Base):
    """A month whose report the scheduled job wrote to storage."""

    __tablename__ = "monthly_report_runs"

    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    keys: Mapped[list[str]] = mapped_column(JSONB)
    written_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
