"""Idempotency-Key of POST /billing/plan and POST /billing/redeem-referral (shared/scoremate_shared/idempotency.py).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from scoremate_shared.idempotency import create_idempotency_table, drop_idempotency_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    drop_idempotency_table(op)
