"""Resumable uploads: the S3 multipart upload of a reservation, its part size, and its completion.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before are single PUTs: no multipart upload.
    op.add_column("uploads", sa.Column("multipart_upload_id", sa.Text, nullable=True))
    op.add_column("uploads", sa.Column("part_size", sa.BigInteger, nullable=True))
    op.add_column("uploads", sa.Column("multipart_completed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in ("multipart_completed_at", "part_size", "multipart_upload_id"):
        op.drop_column("uploads", column)
