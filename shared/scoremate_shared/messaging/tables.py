"""The outbox and inbox tables every service keeps in its own schema, as they are now. Migrations
never create them from here: `messaging/revisions.py` holds each step, called by every service's
own revisions (a column added here alone fails each service's schema test)."""

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
