"""The owner of a task's lease.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("lease_owner", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("tasks", "lease_owner")
