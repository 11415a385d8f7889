"""Quotas, uploads, the object index, the access log, outbox and inbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from scoremate_shared.messaging.revisions import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    create_messaging_tables(op.get_bind())
    op.create_table(
        "quotas",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("total_bytes", sa.BigInteger, nullable=False),
        _timestamp("updated_at"),
    )
    op.create_table(
        "uploads",
        sa.Column("score_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("mime", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_index("ix_uploads_user_hash", "uploads", ["user_id", "content_hash"])
    op.create_index("ix_uploads_user_status", "uploads", ["user_id", "status"])
    op.create_table(
        "objects",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("score_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("page", sa.Integer, nullable=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"),
        _timestamp("created_at"),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("score_id", UUID(as_uuid=True), nullable=True),
        sa.Column("object_key", sa.Text, nullable=True),
        sa.Column("request_id", sa.Text, nullable=True),
        _timestamp("at"),
    )


def downgrade() -> None:
    for table in ("access_log", "objects", "uploads", "quotas"):
        op.drop_table(table)
    drop_messaging_tables(op.get_bind())
