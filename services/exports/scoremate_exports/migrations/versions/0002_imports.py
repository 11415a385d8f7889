"""Imports, the scores they create, and the projections they check against (quota, content hashes).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("staging_key", sa.Text, nullable=False),
        sa.Column("archive_key", sa.Text, nullable=False),
        sa.Column("upload_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bytes_read", sa.BigInteger, nullable=False),
        sa.Column("scores_total", sa.Integer, nullable=False),
        sa.Column("scores_stored", sa.Integer, nullable=False),
        sa.Column("scores_failed", sa.Integer, nullable=False),
        sa.Column("runs", sa.Integer, nullable=False),
        sa.Column("objects_written", sa.Integer, nullable=False),
        sa.Column("multipart_upload_id", sa.Text, nullable=True),
        sa.Column("library_imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", JSONB, nullable=True),
        sa.Column("problem", JSONB, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_imports_user_created", "imports", ["user_id", "created_at"])
    op.create_index(
        "ix_imports_awaiting_upload",
        "imports",
        ["upload_expires_at"],
        postgresql_where=sa.text("status = 'awaiting_upload'"),
    )
    op.create_table(
        "imported_scores",
        sa.Column("score_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("import_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("source_key", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_index("ix_imported_scores_import", "imported_scores", ["import_id"])
    op.create_table(
        "user_quotas",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("total_bytes", sa.BigInteger, nullable=False),
        sa.Column("used_bytes", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "user_contents",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("score_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("content_hash", sa.Text, nullable=True),
    )
    op.create_index("ix_user_contents_hash", "user_contents", ["user_id", "content_hash"])


def downgrade() -> None:
    for table in ("user_contents", "user_quotas", "imported_scores", "imports"):
        op.drop_table(table)
