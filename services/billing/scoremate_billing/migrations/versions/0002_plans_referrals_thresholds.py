"""Referral log, account e-mail and usage-threshold flags.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("email", sa.Text, nullable=True))
    op.add_column("accounts", sa.Column("warned_80", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("accounts", sa.Column("warned_95", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "referral_redemptions",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("referrer_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("bonus_mb", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("referral_redemptions")
    for column in ("warned_95", "warned_80", "email"):
        op.drop_column("accounts", column)
