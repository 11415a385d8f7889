"""Files' event registrations through FastStream's in-memory broker and the real schema: the
registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid

import sqlalchemy as sa

from scoremate_files.context import FilesParts
from scoremate_files.events import handlers
from scoremate_files.models import AccessLogEntry, Upload
from scoremate_files.settings import FilesSettings
from scoremate_shared.db import Database
from scoremate_shared.events import AdminActionRecordedV1, EventEnvelope, ImportAcceptedV1
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.testing import deliver_twice

from .test_files_imports import accepted, imported
from .test_files_imports import published as published_events


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


async def test_an_accepted_import_is_reserved_once_in_its_own_committed_transaction(
    files_db: Database, files_parts: FilesParts, files_settings: FilesSettings
):
    """The reservations, the access log and ImportFilesReserved commit with the claim, once."""
    user_id = uuid.uuid4()
    event = accepted(user_id, [imported(user_id, uuid.uuid4(), n) for n in range(2)])
    envelope = EventEnvelope.wrap(event, "exports")

    await deliver_twice(
        handlers,
        envelope,
        ImportAcceptedV1.routing_key,
        db=files_db,
        parts=files_parts,
        settings=files_settings,
    )  # the second delivery is a duplicate

    async with files_db.session() as session:
        reserved = (await session.scalars(sa.select(Upload.score_id).where(Upload.user_id == user_id))).all()
        handed_on = [
            e
            for e in await published_events(session, "ImportFilesReserved")
            if e["import_id"] == str(event.import_id)
        ]
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert sorted(reserved) == sorted(s.score_id for s in event.scores)
    assert len(handed_on) == 1
    assert claims == ["files.import-accepted"]
