"""The outbox and inbox tables every service keeps in its own schema."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from scoremate_shared.db import new_metadata

messaging_metadata = new_metadata()

outbox_table = sa.Table(
    "outbox",
    messaging_metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("envelope", JSONB, nullable=False),
    sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Index("ix_outbox_unpublished", "id", postgresql_where=sa.text("published_at IS NULL")),
)

inbox_table = sa.Table(
    "inbox",
    messaging_metadata,
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


def create_messaging_tables(bind: sa.Connection) -> None:
    """Create outbox and inbox in the current schema (called from each service's first migration)."""
    messaging_metadata.create_all(bind, checkfirst=True)


def drop_messaging_tables(bind: sa.Connection) -> None:
    messaging_metadata.drop_all(bind, checkfirst=True)
