"""Tables of the files schema."""

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata
from scoremate_shared.storage import STAGING_PREFIX

# The producer of the events this schema's outbox holds, and of files' admin actions.
PRODUCER = "files"


class Base(DeclarativeBase):
    metadata = new_metadata()


class Plan(StrEnum):
    """The plans billing announces (QuotaChangedV1.plan); a user it has not spoken of yet is on Solo."""

    SOLO = "solo"
    PRO = "pro"


class Quota(Base):
    """The user's quota as billing last announced it (QuotaChanged), and the lock for upload-url."""

    __tablename__ = "quotas"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    plan: Mapped[str] = mapped_column(sa.Text, default=Plan.SOLO)
    total_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )


class UploadStatus(StrEnum):
    """An upload's life (the stored value): reserved -> claimed -> stored | rejected;
    reserved -> released (expired); stored -> released (deleted)."""

    RESERVED = "reserved"
    CLAIMED = "claimed"
    STORED = "stored"
    REJECTED = "rejected"
    RELEASED = "released"


# Statuses whose bytes count against the quota (a reservation until it is released).
HOLDING = (UploadStatus.RESERVED, UploadStatus.CLAIMED, UploadStatus.STORED)
# Statuses whose staging object someone still waits for (the client's PUT, or the copy).
AWAITING_STAGING = (UploadStatus.RESERVED, UploadStatus.CLAIMED)


class MultipartState(StrEnum):
    """Where a multipart upload of a reserved upload stands (GET /files/uploads/{score_id})."""

    UPLOADING = "uploading"
    COMPLETED = "completed"


class Upload(Base):
    """One reserved upload: from the presigned URL to a stored (or rejected, released) object.

    The client PUTs to `staging_key`; verification copies it once to `object_key` (`copied_at`),
    the key processing and downloads use. The staging object is removed after the copy, and
    again by the sweeper once the URL has expired (`staging_cleared_at`): a late PUT lands
    there, never on a verified or deleted score. Rows from before staging have no staging key.

    A resumable upload (`multipart_upload_id`) reaches the staging key through an S3 multipart
    upload: parts of `part_size` bytes (the last one shorter), then the client's complete
    (`multipart_completed_at`), from which on the staging object exists as after a PUT.
    """

    __tablename__ = "uploads"

    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    object_key: Mapped[str] = mapped_column(sa.Text)
    filename: Mapped[str] = mapped_column(sa.Text)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    mime: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, default=UploadStatus.RESERVED)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    staging_key: Mapped[str | None] = mapped_column(sa.Text)
    copied_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    staging_cleared_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    multipart_upload_id: Mapped[str | None] = mapped_column(sa.Text)
    part_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    multipart_completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    @hybrid_property
    def from_import(self) -> bool:
        """A score of an import archive: its staging object is the PDF the exports service
        extracted (`imports/...`), which no client can PUT to and the exports service deletes."""
        return self.staging_key is not None and not self.staging_key.startswith(STAGING_PREFIX)

    @from_import.inplace.expression
    @classmethod
    def _from_import_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.staging_key.is_not(None), sa.not_(cls.staging_key.startswith(STAGING_PREFIX, autoescape=True))
        )

    __table_args__ = (
        sa.Index("ix_uploads_user_hash", "user_id", "content_hash"),
        sa.Index("ix_uploads_user_status", "user_id", "status"),
        # The staging sweeper's work list: uploads whose staging key may still hold an object.
        sa.Index(
            "ix_uploads_staging_uncleared",
            "expires_at",
            postgresql_where=sa.text("staging_key IS NOT NULL AND staging_cleared_at IS NULL"),
        ),
    )


class ObjectKind(StrEnum):
    """What an indexed object is: the uploaded PDF, its cover, or one page's thumbnail."""

    ORIGINAL = "original"
    COVER = "cover"
    PAGE = "page"


class StoredObject(Base):
    """The object index: every object the service put (or let clients put) in the bucket."""

    __tablename__ = "objects"

    key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    score_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    kind: Mapped[str] = mapped_column(sa.Text)  # an ObjectKind
    page: Mapped[int | None] = mapped_column(sa.Integer)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class AccessAction(StrEnum):
    """What a user did to an object; an admin action is logged as `admin:<what>` instead."""

    UPLOAD_URL = "upload_url"
    DOWNLOAD = "download"
    DELETE = "delete"
    # A score of an import archive reserved (its extracted PDF is the upload's staging object).
    IMPORT = "import"


# The access log's action of an admin action, from any service: `admin:<its action>`.
ADMIN_ACTION_PREFIX = "admin:"


class AdminAction(StrEnum):
    """The admin actions of files' own routes (AdminActionRecordedV1.action)."""

    LIST_FILES = "list_files"
    READ_ACCESS_LOG = "read_access_log"
    RECONCILE = "reconcile"


class AccessLogEntry(Base):
    """Who asked for which object, or deleted it, when, from which request."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    action: Mapped[str] = mapped_column(sa.Text)  # an AccessAction, or ADMIN_ACTION_PREFIX + what
    score_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    object_key: Mapped[str | None] = mapped_column(sa.Text)
    request_id: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class ReconciliationTrigger(StrEnum):
    """Who started a reconciliation: an admin's call, or the periodic run."""

    ADMIN = "admin"
    PERIODIC = "periodic"


class ReconciliationRun(Base):
    """One comparison of the bucket with the index: when it ran and what it found. The newest
    periodic row is what every worker checks before starting one, so one runs per interval."""

    __tablename__ = "reconciliations"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    trigger: Mapped[str] = mapped_column(sa.Text)
    prefix: Mapped[str] = mapped_column(sa.Text, default="")
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    objects_listed: Mapped[int | None] = mapped_column(sa.BigInteger)
    strays: Mapped[int | None] = mapped_column(sa.BigInteger)
    missing: Mapped[int | None] = mapped_column(sa.BigInteger)
    strays_deleted: Mapped[int | None] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.Index("ix_reconciliations_trigger_started", "trigger", "started_at"),)
