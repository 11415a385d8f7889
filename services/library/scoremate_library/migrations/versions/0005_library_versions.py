"""A version per user's library, bumped by every change to their scores.

Revision ID: 0005
Revises: 0004

What a filtered listing counted stays valid while the version stands: paging through the
results of one search counts its matches once (library/scores/service.py, MatchCounts).
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE score_counts ADD COLUMN version bigint NOT NULL DEFAULT 0")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION count_scores() RETURNS trigger LANGUAGE plpgsql
        -- Whoever writes (a bulk COPY as superuser too), the counts table is this schema's.
        SET search_path FROM CURRENT AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO score_counts AS c VALUES (NEW.user_id, 1, 1)
              ON CONFLICT (user_id) DO UPDATE SET scores = c.scores + 1, version = c.version + 1;
          ELSIF TG_OP = 'UPDATE' THEN
            UPDATE score_counts SET version = version + 1 WHERE user_id = NEW.user_id;
          ELSE
            UPDATE score_counts SET scores = scores - 1, version = version + 1 WHERE user_id = OLD.user_id;
            -- A user without scores keeps no row (an erased account leaves nothing behind).
            DELETE FROM score_counts WHERE user_id = OLD.user_id AND scores <= 0;
          END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute("DROP TRIGGER IF EXISTS scores_counted ON scores")
    op.execute(
        "CREATE TRIGGER scores_counted AFTER INSERT OR UPDATE OR DELETE ON scores "
        "FOR EACH ROW EXECUTE FUNCTION count_scores()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS scores_counted ON scores")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION count_scores() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO score_counts AS c VALUES (NEW.user_id, 1)
              ON CONFLICT (user_id) DO UPDATE SET scores = c.scores + 1;
          ELSE
            UPDATE score_counts SET scores = scores - 1 WHERE user_id = OLD.user_id;
            DELETE FROM score_counts WHERE user_id = OLD.user_id AND scores <= 0;
          END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER scores_counted AFTER INSERT OR DELETE ON scores FOR EACH ROW EXECUTE FUNCTION count_scores()"
    )
    op.execute("ALTER TABLE score_counts DROP COLUMN version")
