"""Revoked access tokens, as auth announces them (shared/scoremate_shared/revocations.py).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from scoremate_shared.revocations import create_revocations_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revocations_table(op)


def downgrade() -> None:
    op.drop_table("revocations")
