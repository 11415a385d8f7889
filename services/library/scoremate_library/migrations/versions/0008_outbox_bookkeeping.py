"""The outbox loses `attempts` and `last_error` (shared/scoremate_shared/messaging/revisions.py).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from scoremate_shared.messaging.revisions import drop_outbox_bookkeeping, restore_outbox_bookkeeping

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_outbox_bookkeeping(op.get_bind())


def downgrade() -> None:
    restore_outbox_bookkeeping(op.get_bind())
