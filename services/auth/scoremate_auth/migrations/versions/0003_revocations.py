"""Revoked access tokens, as auth announces them (shared/scoremate_shared/revocations.py).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from scoremate_shared.revocations import create_revocations_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revocations_table(op)


def downgrade() -> None:
    op.drop_table("revocations")
