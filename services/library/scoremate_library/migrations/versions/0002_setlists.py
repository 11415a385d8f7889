"""Setlists and their ordered items.

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
    op.create_table(
        "setlists",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_setlists_user_created", "setlists", ["user_id", sa.text("created_at DESC"), "id"])
    op.create_table(
        "setlist_items",
        sa.Column(
            "setlist_id",
            UUID(as_uuid=True),
            sa.ForeignKey("setlists.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        # A deleted score leaves every setlist with it (the service also closes the gap).
        sa.Column(
            "score_id", UUID(as_uuid=True), sa.ForeignKey("scores.id", ondelete="CASCADE"), nullable=False
        ),
    )
    op.create_index("ix_setlist_items_score_id", "setlist_items", ["score_id"])


def downgrade() -> None:
    op.drop_table("setlist_items")
    op.drop_table("setlists")
