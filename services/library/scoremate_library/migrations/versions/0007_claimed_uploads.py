"""Every upload ever claimed by a score: an upload token is good for one score, forever (its
score deleted or not).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claimed_uploads",
        sa.Column("score_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.execute("INSERT INTO claimed_uploads (score_id) SELECT id FROM scores")


def downgrade() -> None:
    op.drop_table("claimed_uploads")
