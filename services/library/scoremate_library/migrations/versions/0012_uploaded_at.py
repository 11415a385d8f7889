"""When files announced a score's original stored and verified (ScoreUploaded): an export packs the
originals of these scores only. Scores of before this revision with pages or a cover were verified
(processing starts from the stored original); the others are taken as not verified.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE scores ADD COLUMN uploaded_at timestamp with time zone")
    op.execute("UPDATE scores SET uploaded_at = created_at WHERE pages IS NOT NULL OR cover_key IS NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE scores DROP COLUMN uploaded_at")
