"""Billing's event registrations through FastStream's in-memory broker and the real schema: the
registration opens the transaction, claims the inbox and commits; a redelivery does nothing."""

import uuid

import sqlalchemy as sa

from scoremate_billing.context import BillingParts
from scoremate_billing.events import handlers
from scoremate_billing.export_part import BillingExport
from scoremate_billing.models import UsageEntry, UsageReason
from scoremate_billing.notifications import Notifier
from scoremate_billing.referrals import ReferralService
from scoremate_billing.service import BillingService
from scoremate_billing.settings import BillingSettings
from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, ExportRequestedV1, ThumbnailsGeneratedV1, UserRegisteredV1
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.testing import RecordedObjects, deliver_twice


async def test_derived_images_are_counted_once_in_their_own_committed_transaction(
    billing_db: Database,
    billing: BillingService,
    referrals: ReferralService,
    billing_settings: BillingSettings,
):
    user_id, score_id = uuid.uuid4(), uuid.uuid4()
    envelope = EventEnvelope.wrap(
        ThumbnailsGeneratedV1(
            score_id=score_id, user_id=user_id, cover_key="c", page_keys=["p1"], bytes_total=4321
        ),
        "processor",
    )

    await deliver_twice(
        handlers,
        envelope,
        ThumbnailsGeneratedV1.routing_key,
        db=billing_db,
        parts=BillingParts(
            billing=billing,
            referrals=referrals,
            notifier=Notifier(billing_settings),
            export=BillingExport(billing_settings, billing, RecordedObjects()),
        ),
        settings=billing_settings,
    )  # the second delivery is a duplicate

    async with billing_db.session() as session:
        entries = (
            await session.execute(
                sa.select(UsageEntry.event_id, UsageEntry.delta_bytes, UsageEntry.reason).where(
                    UsageEntry.user_id == user_id
                )
            )
        ).all()
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
        used = (await billing.usage(session, user_id)).used_bytes
    assert entries == [(envelope.event_id, 4321, UsageReason.DERIVED_IMAGES)]
    assert claims == ["billing.thumbnails-generated"]  # claimed once, under its queue's name
    assert used == 4321


async def test_the_billing_part_is_written_once_in_its_own_committed_transaction(
    billing_db: Database,
    billing: BillingService,
    referrals: ReferralService,
    billing_settings: BillingSettings,
):
    user_id, export_id = uuid.uuid4(), uuid.uuid4()
    async with billing_db.transaction() as session:
        await referrals.open_registered_account(
            session,
            UserRegisteredV1(
                user_id=user_id, email=f"{user_id}@example.com", referral_code=f"B{uuid.uuid4().hex[:10]}"
            ),
        )
    prefix = f"exports/{user_id}/{export_id}/1/parts/"
    envelope = EventEnvelope.wrap(
        ExportRequestedV1(export_id=export_id, user_id=user_id, attempt=1, parts_prefix=prefix), "exports"
    )
    sink = RecordedObjects()

    await deliver_twice(
        handlers,
        envelope,
        ExportRequestedV1.routing_key,
        db=billing_db,
        parts=BillingParts(
            billing=billing,
            referrals=referrals,
            notifier=Notifier(billing_settings),
            export=BillingExport(billing_settings, billing, sink),
        ),
        settings=billing_settings,
    )  # the second delivery is a duplicate

    async with billing_db.session() as session:
        claims = (
            await session.scalars(
                sa.select(inbox_table.c.consumer).where(inbox_table.c.event_id == envelope.event_id)
            )
        ).all()
    assert list(sink.objects) == [f"{prefix}billing.json"]
    assert sink.json(f"{prefix}billing.json")["plan"] == "solo"
    assert claims == ["billing.export-requested"]
