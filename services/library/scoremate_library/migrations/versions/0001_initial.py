"""Scores with trigram and full-text search, outbox and inbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from scoremate_shared.messaging.revisions import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op.get_bind())
    # Trusted extensions: the service's role may create them in its own schema.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # unaccent() is only STABLE (it looks the dictionary up through search_path); naming the
    # schema makes an IMMUTABLE wrapper that an expression index may use.
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(
        f"""
        CREATE FUNCTION search_text(VARIADIC parts text[]) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT lower("{schema}".unaccent('"{schema}".unaccent'::regdictionary, array_to_string(parts, ' '))) $$
        """
    )
    op.create_table(
        "scores",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("composer", sa.Text, nullable=True),
        sa.Column("instrumentation", sa.Text, nullable=True),
        sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("tags_norm", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("pages", sa.Integer, nullable=True),
        sa.Column("page_sizes", JSONB, nullable=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("mime", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("cover_key", sa.Text, nullable=True),
        sa.Column("pdf_metadata", JSONB, nullable=True),
        sa.Column("filled_from_pdf", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_scores_user_created", "scores", ["user_id", sa.text("created_at DESC"), "id"])
    op.create_index("ix_scores_tags_norm", "scores", ["tags_norm"], postgresql_using="gin")
    op.execute(
        "CREATE INDEX ix_scores_search_trgm ON scores USING gin "
        "(search_text(title, coalesce(composer, ''), coalesce(instrumentation, ''), coalesce(note, '')) gin_trgm_ops)"
    )


def downgrade() -> None:
    op.drop_table("scores")
    op.execute("DROP FUNCTION IF EXISTS search_text(text[])")
    drop_messaging_tables(op.get_bind())
