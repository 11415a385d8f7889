"""Files' event registrations through FastStream's in-memory broker and the real schema: the
registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid

import sqlalchemy as sa

from scoremate_files.context import FilesParts
from scoremate_files.events import handlers
from scoremate_files.models import AccessLogEntry
from scoremate_files.settings import FilesSettings
from scoremate_shared.db import Database
from scoremate_shared.events import AdminActionRecordedV1, EventEnvelope
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.testing import deliver_twice


async def test_an_admin_action_is_logged_once_in_its_own_committed_transaction(
    files_db: Database, files_parts: FilesParts, files_settings: FilesSettings
):
    admin_id = uuid.uuid4()
    envelope = EventEnvelope.wrap(
        AdminActionRecordedV1(actor_id=admin_id, service="billing", action="list_users", target="page 1"),
        "billing",
    )

    await deliver_twice(
        handlers,
        envelope,
        AdminActionRecordedV1.routing_key,
        db=files_db,
        parts=files_parts,
        settings=files_settings,
    )  # the second delivery is a duplicate

    # A session of its own: only what the registration committed is seen.
    async with files_db.session() as session:
        logged = (
            await session.execute(
                sa.select(AccessLogEntry.action, AccessLogEntry.object_key).where(
                    AccessLogEntry.user_id == admin_id
                )
            )
        ).all()
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert [tuple(row) for row in logged] == [("admin:list_users", "billing: page 1")]
    assert claims == ["files.admin-action-recorded"]  # claimed once, under its queue's name
