"""Idempotency-Key of POST /scores and POST /setlists (shared/scoremate_shared/idempotency.py).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from scoremate_shared.idempotency import create_idempotency_table, drop_idempotency_table

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    drop_idempotency_table(op)
