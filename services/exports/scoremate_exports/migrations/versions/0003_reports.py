"""The monthly report's counts, active users, storage in use, and the reports written.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monthly_counts",
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("metric", sa.Text, primary_key=True),
        sa.Column("detail", sa.Text, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "monthly_active_users",
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
    )
    op.create_index("ix_monthly_active_users_user", "monthly_active_users", ["user_id"])
    op.create_table(
        "user_storage",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("used_bytes", sa.BigInteger, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "monthly_report_runs",
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("keys", JSONB, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    for table in ("monthly_report_runs", "user_storage", "monthly_active_users", "monthly_counts"):
        op.drop_table(table)
