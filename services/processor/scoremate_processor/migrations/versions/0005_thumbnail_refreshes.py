"""Each user's recent thumbnail refreshes, for the per-user limit of `refresh-thumbnails`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thumbnail_refreshes",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("requested_at", ARRAY(sa.DateTime(timezone=True)), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("thumbnail_refreshes")
