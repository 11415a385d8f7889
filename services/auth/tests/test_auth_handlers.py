"""Auth's event registrations through FastStream's in-memory broker and the real schema: the
registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid

import sqlalchemy as sa

from scoremate_auth.context import AuthParts
from scoremate_auth.events import handlers
from scoremate_auth.export_part import ProfileExport
from scoremate_auth.models import EmailVerification
from scoremate_auth.schemas import RegisterIn
from scoremate_auth.service import AuthService
from scoremate_auth.settings import AuthSettings
from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, ExportRequestedV1, UserRegisteredV1
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.testing import RecordedObjects, deliver_twice

from .conftest import RecordedEmails


def test_auth_consumes_on_its_own_queues():
    assert handlers.queues == [
        "auth.access-revoked",
        "auth.quota-changed",
        "auth.verification-email",
        "auth.export-requested",
    ]


async def test_a_registration_is_emailed_once_in_its_own_committed_transaction(
    auth_db: Database, auth_service: AuthService, auth_settings: AuthSettings, emails: RecordedEmails
):
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    async with auth_db.transaction() as session:
        user = await auth_service.register(session, RegisterIn(email=email, password="correct horse battery"))
    envelope = EventEnvelope.wrap(
        UserRegisteredV1(user_id=user.id, email=email, referral_code=user.referral_code), "auth"
    )

    await deliver_twice(
        handlers,
        envelope,
        UserRegisteredV1.routing_key,
        db=auth_db,
        parts=AuthParts(auth=auth_service, profile_export=ProfileExport(RecordedObjects())),
        settings=auth_settings,
    )  # the second delivery is a duplicate

    async with auth_db.session() as session:
        tokens = (
            await session.scalars(
                sa.select(EmailVerification.token_hash).where(EmailVerification.user_id == user.id)
            )
        ).all()
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert [sent.to for sent in emails.sent] == [email]
    assert len(tokens) == 1  # the token of the one e-mail, committed with the claim
    assert claims == ["auth.verification-email"]  # claimed once, under its queue's name


async def test_the_profile_part_is_written_once_in_its_own_committed_transaction(
    auth_db: Database, auth_service: AuthService, auth_settings: AuthSettings
):
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    async with auth_db.transaction() as session:
        user = await auth_service.register(session, RegisterIn(email=email, password="correct horse battery"))
    export_id = uuid.uuid4()
    prefix = f"exports/{user.id}/{export_id}/1/parts/"
    envelope = EventEnvelope.wrap(
        ExportRequestedV1(export_id=export_id, user_id=user.id, attempt=1, parts_prefix=prefix), "exports"
    )
    sink = RecordedObjects()

    await deliver_twice(
        handlers,
        envelope,
        ExportRequestedV1.routing_key,
        db=auth_db,
        parts=AuthParts(auth=auth_service, profile_export=ProfileExport(sink)),
        settings=auth_settings,
    )  # the second delivery is a duplicate

    async with auth_db.session() as session:
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert list(sink.objects) == [f"{prefix}profile.json"]
    assert sink.json(f"{prefix}profile.json")["email"] == email
    assert claims == ["auth.export-requested"]
