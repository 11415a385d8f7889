"""Write-once uploads: the staging key clients PUT to, the copy to the final key, the staging
sweeper's bookkeeping, and the runs of the bucket/index reconciliation.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before have no staging key: their URL named the final key, as it did then.
    op.add_column("uploads", sa.Column("staging_key", sa.Text, nullable=True))
    op.add_column("uploads", sa.Column("copied_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("uploads", sa.Column("staging_cleared_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_uploads_staging_uncleared",
        "uploads",
        ["expires_at"],
        postgresql_where=sa.text("staging_key IS NOT NULL AND staging_cleared_at IS NULL"),
    )
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("prefix", sa.Text, nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("objects_listed", sa.BigInteger, nullable=True),
        sa.Column("strays", sa.BigInteger, nullable=True),
        sa.Column("missing", sa.BigInteger, nullable=True),
        sa.Column("strays_deleted", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_reconciliations_trigger_started", "reconciliations", ["trigger", "started_at"])


def downgrade() -> None:
    op.drop_table("reconciliations")
    op.drop_index("ix_uploads_staging_uncleared", table_name="uploads")
    for column in ("staging_cleared_at", "copied_at", "staging_key"):
        op.drop_column("uploads", column)
