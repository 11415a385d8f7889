"""A version per score and per setlist, bumped by every change a client can see: the ETag of
conditional requests and the `version` of ScoreChanged and SetlistChanged. Existing rows start at 1
(a constant default: no table rewrite, however many scores there are).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE scores ADD COLUMN version integer NOT NULL DEFAULT 1")
    op.execute("ALTER TABLE setlists ADD COLUMN version integer NOT NULL DEFAULT 1")


def downgrade() -> None:
    op.execute("ALTER TABLE setlists DROP COLUMN version")
    op.execute("ALTER TABLE scores DROP COLUMN version")
