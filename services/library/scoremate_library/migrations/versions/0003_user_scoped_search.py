"""Search and tag indexes scoped by user: one user's query never walks other users' rows.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # btree_gin lets one GIN index hold the user id beside the trigrams (a trusted extension).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("DROP INDEX IF EXISTS ix_scores_search_trgm")
    op.execute("DROP INDEX IF EXISTS ix_scores_tags_norm")
    op.execute(
        "CREATE INDEX ix_scores_user_search_trgm ON scores USING gin (user_id, "
        "search_text(title, coalesce(composer, ''), coalesce(instrumentation, ''), coalesce(note, '')) gin_trgm_ops)"
    )
    op.execute("CREATE INDEX ix_scores_user_tags ON scores USING gin (user_id, tags_norm)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_scores_user_tags")
    op.execute("DROP INDEX IF EXISTS ix_scores_user_search_trgm")
    op.execute(
        "CREATE INDEX ix_scores_search_trgm ON scores USING gin "
        "(search_text(title, coalesce(composer, ''), coalesce(instrumentation, ''), coalesce(note, '')) gin_trgm_ops)"
    )
    op.execute("CREATE INDEX ix_scores_tags_norm ON scores USING gin (tags_norm)")
