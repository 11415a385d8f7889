"""Exports, outbox and inbox (every messaging step), revocations, idempotency keys.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from scoremate_shared.idempotency import create_idempotency_table, drop_idempotency_table
from scoremate_shared.messaging.revisions import (
    create_messaging_tables,
    drop_messaging_tables,
    drop_outbox_bookkeeping,
)
from scoremate_shared.revocations import create_revocations_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A service born after step 2 takes every messaging step in order, as the others did.
    create_messaging_tables(op.get_bind())
    drop_outbox_bookkeeping(op.get_bind())
    create_revocations_table(op)
    create_idempotency_table(op)
    op.create_table(
        "exports",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("requested_by", UUID(as_uuid=True), nullable=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("parts", JSONB, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_key", sa.Text, nullable=True),
        sa.Column("multipart_upload_id", sa.Text, nullable=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=True),
        sa.Column("scores", sa.Integer, nullable=True),
        sa.Column("scores_packed", sa.Integer, nullable=False),
        sa.Column("setlists", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_exports_user_created", "exports", ["user_id", "created_at"])
    op.create_index(
        "ux_exports_one_in_progress",
        "exports",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('collecting', 'assembling')"),
    )
    op.create_index(
        "ix_exports_expires", "exports", ["expires_at"], postgresql_where=sa.text("status = 'completed'")
    )
    op.create_index(
        "ix_exports_in_progress_updated",
        "exports",
        ["updated_at"],
        postgresql_where=sa.text("status IN ('collecting', 'assembling')"),
    )


def downgrade() -> None:
    op.drop_table("exports")
    drop_idempotency_table(op)
    op.drop_table("revocations")
    drop_messaging_tables(op.get_bind())
