"""A stored search document (folded once at write time) and per-user score counts.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DOC = "search_text(title, coalesce(composer, ''), coalesce(instrumentation, ''), coalesce(note, ''))"


def upgrade() -> None:
    # Folding (unaccent, lower) once per write, not once per row and query: the index recheck
    # and the ranking read the stored text.
    op.execute(f"ALTER TABLE scores ADD COLUMN search_doc text GENERATED ALWAYS AS ({DOC}) STORED")
    op.execute("DROP INDEX IF EXISTS ix_scores_user_search_trgm")
    op.execute(
        "CREATE INDEX ix_scores_user_search_doc ON scores USING gin (user_id, search_doc gin_trgm_ops)"
    )
    # The unfiltered listing's total without counting 100,000 rows per page.
    op.execute("CREATE TABLE score_counts (user_id uuid PRIMARY KEY, scores bigint NOT NULL)")
    op.execute("INSERT INTO score_counts SELECT user_id, count(*) FROM scores GROUP BY user_id")
    op.execute(
        """
        CREATE FUNCTION count_scores() RETURNS trigger LANGUAGE plpgsql
        -- Whoever inserts (a bulk COPY as superuser too), the counts table is this schema's.
        SET search_path FROM CURRENT AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO score_counts AS c VALUES (NEW.user_id, 1)
              ON CONFLICT (user_id) DO UPDATE SET scores = c.scores + 1;
          ELSE
            UPDATE score_counts SET scores = scores - 1 WHERE user_id = OLD.user_id;
            -- A user without scores keeps no row (an erased account leaves nothing behind).
            DELETE FROM score_counts WHERE user_id = OLD.user_id AND scores <= 0;
          END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER scores_counted AFTER INSERT OR DELETE ON scores FOR EACH ROW EXECUTE FUNCTION count_scores()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS scores_counted ON scores")
    op.execute("DROP FUNCTION IF EXISTS count_scores()")
    op.execute("DROP TABLE IF EXISTS score_counts")
    op.execute("DROP INDEX IF EXISTS ix_scores_user_search_doc")
    op.execute("ALTER TABLE scores DROP COLUMN IF EXISTS search_doc")
    op.execute(f"CREATE INDEX ix_scores_user_search_trgm ON scores USING gin (user_id, {DOC} gin_trgm_ops)")
