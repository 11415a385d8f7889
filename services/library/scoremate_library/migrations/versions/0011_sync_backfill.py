"""Every score and setlist that exists when this revision runs is published once as ScoreChanged or
SetlistChanged (sync_backfill.py): the sync projection started after them and would never hear
of them otherwise. On an empty database the backfill ends at once.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_backfills",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("phase", sa.Text, nullable=False),
        sa.Column("after_id", UUID(as_uuid=True), nullable=True),
    )
    op.execute("INSERT INTO pending_backfills (name, phase) VALUES ('sync-snapshots', 'scores')")


def downgrade() -> None:
    op.drop_table("pending_backfills")
