"""Billing's part of a library export (issue 15) against its migrated schema: billing.json holds
the plan, the quota and its use, the history, receipts and referrals; an account not open yet
waits for its opening, one deleted meanwhile gets nothing."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.export_part import BillingExport
from scoremate_billing.models import Plan, UsageReason
from scoremate_billing.referrals import ReferralService
from scoremate_billing.schemas import PlanChangeIn
from scoremate_billing.service import BillingService
from scoremate_billing.settings import MB, BillingSettings
from scoremate_shared.events import EventEnvelope, ExportRequestedV1, UserRegisteredV1
from scoremate_shared.messaging.broker import RetryLater
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.testing import RecordedObjects


def export_requested(user_id: uuid.UUID) -> ExportRequestedV1:
    export_id = uuid.uuid4()
    return ExportRequestedV1(
        export_id=export_id,
        user_id=user_id,
        attempt=1,
        parts_prefix=f"exports/{user_id}/{export_id}/1/parts/",
    )


async def parts_written(session: AsyncSession, export_id: uuid.UUID) -> list[dict]:
    envelopes = await session.scalars(
        sa.select(outbox_table.c.envelope).where(
            outbox_table.c.envelope["type"].astext == "ExportPartWritten",
            outbox_table.c.envelope["data"]["export_id"].astext == str(export_id),
        )
    )
    return [envelope["data"] for envelope in envelopes]


async def test_billing_json_holds_plan_usage_history_receipts_and_referrals(
    session: AsyncSession,
    billing: BillingService,
    referrals: ReferralService,
    billing_settings: BillingSettings,
):
    referrer, user_id = uuid.uuid4(), uuid.uuid4()
    code = f"R{uuid.uuid4().hex[:10].upper()}"
    await referrals.open_registered_account(
        session, UserRegisteredV1(user_id=referrer, email=f"{referrer}@example.com", referral_code=code)
    )
    own_code = f"U{uuid.uuid4().hex[:10].upper()}"
    await referrals.open_registered_account(
        session,
        UserRegisteredV1(
            user_id=user_id, email=f"{user_id}@example.com", referral_code=own_code, referred_by_code=code
        ),
    )
    await referrals.mark_email_verified(session, user_id)  # the referral pays both sides
    score_id = uuid.uuid4()
    await billing.record_usage(
        session,
        event_id=uuid.uuid4(),
        user_id=user_id,
        score_id=score_id,
        delta_bytes=4 * MB,
        reason=UsageReason.SCORE_UPLOADED,
    )
    receipt_id = f"order-{uuid.uuid4().hex[:8]}"
    await billing.change_plan(
        session, user_id, PlanChangeIn(plan=Plan.PRO, receipt=f"sandbox:pro:{receipt_id}")
    )
    await session.flush()
    sink, event = RecordedObjects(), export_requested(user_id)

    await BillingExport(billing_settings, billing, sink).write_part(
        session, event, EventEnvelope.wrap(event, "exports")
    )

    key = f"{event.parts_prefix}billing.json"
    document = sink.json(key)
    bonus = billing_settings.referral_bonus_mb
    assert document["plan"] == "pro"
    assert document["quota"] == {
        "total_bytes": (billing_settings.pro_quota_mb + bonus) * MB,
        "used_bytes": 4 * MB,
        "base_quota_mb": billing_settings.pro_quota_mb,
        "bonus_mb": bonus,
    }
    assert [(u["score_id"], u["delta_bytes"], u["reason"]) for u in document["usage"]] == [
        (str(score_id), 4 * MB, "score_uploaded")
    ]
    assert sorted(h["kind"] for h in document["history"]) == ["payment", "plan_change", "referral_bonus"]
    [receipt] = document["receipts"]
    assert (receipt["store"], receipt["transaction_id"], receipt["plan"]) == ("sandbox", receipt_id, "pro")
    referral = document["referrals"]
    assert referral["code"] == own_code
    assert (referral["referred_by"]["code"], referral["referred_by"]["status"]) == (code, "paid")
    assert referral["referred"] == []
    assert referral["bonuses_credited_mb"] == bonus
    assert await parts_written(session, event.export_id) == [
        {
            "export_id": str(event.export_id),
            "user_id": str(user_id),
            "attempt": 1,
            "part": "billing",
            "keys": [key],
        }
    ]

    # The referrer's part names the account it referred by status and bonus only, never by who.
    theirs = export_requested(referrer)
    await BillingExport(billing_settings, billing, sink).write_part(
        session, theirs, EventEnvelope.wrap(theirs, "exports")
    )
    [referred] = sink.json(f"{theirs.parts_prefix}billing.json")["referrals"]["referred"]
    assert (referred["status"], referred["bonus_mb"]) == ("paid", bonus)
    assert str(user_id) not in str(referred)


async def test_an_account_not_open_yet_waits_and_one_gone_gets_nothing(
    session: AsyncSession, billing: BillingService, billing_settings: BillingSettings
):
    sink, event = RecordedObjects(), export_requested(uuid.uuid4())
    export = BillingExport(billing_settings, billing, sink)
    with pytest.raises(RetryLater):  # UserRegistered may still be on its way
        await export.write_part(session, event, EventEnvelope.wrap(event, "exports"))
    long_ago = datetime.now(UTC) - timedelta(seconds=billing_settings.export_account_wait_seconds + 1)
    await export.write_part(
        session, event, EventEnvelope.wrap(event, "exports").model_copy(update={"occurred_at": long_ago})
    )
    assert sink.objects == {}
    assert await parts_written(session, event.export_id) == []
