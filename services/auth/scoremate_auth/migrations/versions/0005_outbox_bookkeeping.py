"""The outbox loses `attempts` and `last_error` (shared/scoremate_shared/messaging/revisions.py).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from scoremate_shared.messaging.revisions import drop_outbox_bookkeeping, restore_outbox_bookkeeping

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_outbox_bookkeeping(op.get_bind())


def downgrade() -> None:
    restore_outbox_bookkeeping(op.get_bind())
