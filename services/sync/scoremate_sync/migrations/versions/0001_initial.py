"""Feeds and entities, outbox and inbox (both messaging steps), revocations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from scoremate_shared.messaging.revisions import (
    create_messaging_tables,
    drop_messaging_tables,
    drop_outbox_bookkeeping,
)
from scoremate_shared.revocations import create_revocations_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A service born after step 2 takes every messaging step in order, as the others did.
    create_messaging_tables(op.get_bind())
    drop_outbox_bookkeeping(op.get_bind())
    create_revocations_table(op)
    op.create_table(
        "feeds",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("horizon", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "entities",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("entity_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("body", JSONB, nullable=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_entities_user_seq", "entities", ["user_id", "seq"], unique=True)
    op.create_index("ix_entities_tombstones", "entities", ["changed_at"], postgresql_where=sa.text("deleted"))


def downgrade() -> None:
    op.drop_table("entities")
    op.drop_table("feeds")
    op.drop_table("revocations")
    drop_messaging_tables(op.get_bind())
