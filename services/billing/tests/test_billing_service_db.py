"""Billing's decisions against its migrated schema (the middle tier: no stack), each test in a
transaction that is rolled back: the usage ledger, derived images, plans, thresholds, referrals."""

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing.models import HistoryKind, Plan, ReferralStatus, UsageReason
from scoremate_billing.referrals import ReferralNotAllowed, ReferralService, UnknownReferralCode
from scoremate_billing.schemas import PlanChangeIn
from scoremate_billing.service import BillingService, PaymentRequired, ReceiptUsed
from scoremate_billing.settings import MB
from scoremate_shared.auth import Principal
from scoremate_shared.events import (
    AdminActionRecordedV1,
    IntegrationEvent,
    QuotaChangedV1,
    StorageReleasedV1,
    ThumbnailsGeneratedV1,
    UsageThresholdCrossedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.tables import outbox_table


async def published(
    session: AsyncSession, event_cls: type[IntegrationEvent], user_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The data of the events of this type for this user in the session's outbox, oldest first."""
    rows = await session.scalars(
        sa.select(outbox_table.c.envelope)
        .where(
            outbox_table.c.routing_key == event_cls.routing_key,
            outbox_table.c.envelope["data"]["user_id"].astext == str(user_id),
        )
        .order_by(outbox_table.c.id)
    )
    return [envelope["data"] for envelope in rows]


async def upload(billing: BillingService, session: AsyncSession, user_id: uuid.UUID, size: int) -> uuid.UUID:
    score_id = uuid.uuid4()
    await billing.record_usage(
        session,
        event_id=uuid.uuid4(),
        user_id=user_id,
        score_id=score_id,
        delta_bytes=size,
        reason=UsageReason.SCORE_UPLOADED,
    )
    return score_id


async def test_a_usage_event_counts_once_whatever_its_deliveries(
    session: AsyncSession, billing: BillingService
):
    user_id, event_id, score_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    entry = {
        "user_id": user_id,
        "score_id": score_id,
        "delta_bytes": 1000,
        "reason": UsageReason.SCORE_UPLOADED,
    }
    assert await billing.record_usage(session, event_id=event_id, **entry) is True
    assert await billing.record_usage(session, event_id=event_id, **entry) is False
    usage = await billing.usage(session, user_id)
    assert (usage.used_bytes, usage.scores) == (1000, 1)
    quota = await published(session, QuotaChangedV1, user_id)
    assert [(q["used_bytes"], q["reason"]) for q in quota] == [(1000, "score_uploaded")]


async def test_derived_images_count_replace_on_a_rerender_and_leave_with_their_score_once(
    session: AsyncSession, billing: BillingService
):
    user_id = uuid.uuid4()
    score_id = await upload(billing, session, user_id, 1000)

    def rendered(bytes_total: int) -> ThumbnailsGeneratedV1:
        return ThumbnailsGeneratedV1(
            score_id=score_id, user_id=user_id, cover_key="c", page_keys=["p"], bytes_total=bytes_total
        )

    first = uuid.uuid4()
    assert await billing.record_derived_images(session, first, rendered(300))
    assert (await billing.usage(session, user_id)).used_bytes == 1300
    assert not await billing.record_derived_images(session, first, rendered(300))  # a duplicate
    await billing.record_derived_images(session, uuid.uuid4(), rendered(250))  # re-rendered: same keys
    assert (await billing.usage(session, user_id)).used_bytes == 1250

    release = StorageReleasedV1(user_id=user_id, score_id=score_id, bytes=1000)
    released_by = uuid.uuid4()
    assert await billing.release_score(session, released_by, release)
    assert not await billing.release_score(session, released_by, release)  # a replay releases nothing
    # Images a late render reports for the released score are not counted.
    assert not await billing.record_derived_images(session, uuid.uuid4(), rendered(400))
    usage = await billing.usage(session, user_id)
    assert (usage.used_bytes, usage.scores) == (0, 0)
    quota = await published(session, QuotaChangedV1, user_id)
    assert [q["used_bytes"] for q in quota] == [1000, 1300, 1250, 0]


async def test_thresholds_are_announced_once_per_crossing(session: AsyncSession, billing: BillingService):
    user_id = uuid.uuid4()
    quota = billing.settings.solo_quota_mb * MB
    await upload(billing, session, user_id, quota * 81 // 100)
    await upload(billing, session, user_id, MB // 100)  # still between 80 and 95 %: no new notice
    await upload(billing, session, user_id, quota * 15 // 100)
    crossings = await published(session, UsageThresholdCrossedV1, user_id)
    assert [c["threshold"] for c in crossings] == [80, 95]
    assert (await billing.usage(session, user_id)).warning == 95


async def test_pro_needs_a_receipt_that_buys_one_plan_once(session: AsyncSession, billing: BillingService):
    buyer, other = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(PaymentRequired):
        await billing.change_plan(session, buyer, PlanChangeIn(plan=Plan.PRO))
    with pytest.raises(PaymentRequired):
        await billing.change_plan(session, buyer, PlanChangeIn(plan=Plan.PRO, receipt="forged"))
    receipt = f"sandbox:pro:{uuid.uuid4()}"
    plan = await billing.change_plan(session, buyer, PlanChangeIn(plan=Plan.PRO, receipt=receipt))
    assert (plan.plan, plan.total_quota_mb) == (Plan.PRO, billing.settings.pro_quota_mb)
    with pytest.raises(ReceiptUsed):
        await billing.change_plan(session, other, PlanChangeIn(plan=Plan.PRO, receipt=receipt))
    assert (await billing.plan(session, other)).plan == Plan.SOLO
    await session.flush()  # what the request's commit would do
    history = await billing.history(session, buyer, page=1, page_size=20)
    assert sorted(entry.kind for entry in history.items) == [HistoryKind.PAYMENT, HistoryKind.PLAN_CHANGE]
    assert history.total == 2


async def test_a_referral_pays_both_sides_once_the_redeemer_is_verified(
    session: AsyncSession, billing: BillingService, referrals: ReferralService
):
    referrer, redeemer = uuid.uuid4(), uuid.uuid4()
    code = f"R{uuid.uuid4().hex[:10].upper()}"
    await referrals.open_registered_account(
        session, UserRegisteredV1(user_id=referrer, email=f"{referrer}@example.com", referral_code=code)
    )
    await referrals.open_registered_account(
        session,
        UserRegisteredV1(user_id=redeemer, email=f"{redeemer}@example.com", referral_code=f"X{code[1:]}"),
    )
    with pytest.raises(UnknownReferralCode):  # a code nobody has is a 404
        await referrals.redeem_referral(session, redeemer, "NOSUCHCODE")
    with pytest.raises(ReferralNotAllowed):
        await referrals.redeem_referral(session, referrer, code)

    redeemed = await referrals.redeem_referral(session, redeemer, code.lower())
    assert (redeemed.status, redeemed.bonus_mb) == (ReferralStatus.PENDING, 0)
    with pytest.raises(ReferralNotAllowed):  # one redemption per account
        await referrals.redeem_referral(session, redeemer, code)
    await referrals.mark_email_verified(session, redeemer)
    bonus = billing.settings.referral_bonus_mb
    assert (await billing.plan(session, redeemer)).bonus_mb == bonus
    assert (await billing.plan(session, referrer)).bonus_mb == bonus
    await referrals.mark_email_verified(session, redeemer)  # told twice: paid once
    assert (await billing.plan(session, referrer)).bonus_mb == bonus


async def test_admins_page_through_accounts_with_their_usage_and_the_listing_is_recorded(
    session: AsyncSession, billing: BillingService
):
    admin = Principal(uuid.uuid4())
    before = (await billing.list_accounts(session, admin, page=1, page_size=1)).total
    users = [uuid.uuid4() for _ in range(3)]
    for number, user_id in enumerate(users):
        await upload(billing, session, user_id, 1000 * (number + 1))
    first = await billing.list_accounts(session, admin, page=1, page_size=2)
    assert first.total == before + 3
    assert len(first.items) == 2
    pages = [first, *[await billing.list_accounts(session, admin, page=p, page_size=2) for p in (2, 3)]]
    listed = {item.user_id: item.used_bytes for page in pages for item in page.items}
    if before == 0:
        assert listed == {user_id: 1000 * (n + 1) for n, user_id in enumerate(users)}
    actions = await published(session, AdminActionRecordedV1, admin.user_id)
    assert actions == []  # the admin's id is the actor, not the user
    recorded = await session.scalar(
        sa.select(sa.func.count())
        .select_from(outbox_table)
        .where(
            outbox_table.c.routing_key == AdminActionRecordedV1.routing_key,
            outbox_table.c.envelope["data"]["actor_id"].astext == str(admin.user_id),
        )
    )
    assert recorded == 4


async def test_a_sign_up_code_pays_when_an_upload_opened_the_account_before_registration(
    session: AsyncSession, billing: BillingService, referrals: ReferralService
):
    referrer, redeemer = uuid.uuid4(), uuid.uuid4()
    code = f"R{uuid.uuid4().hex[:10].upper()}"
    await referrals.open_registered_account(
        session, UserRegisteredV1(user_id=referrer, email=f"{referrer}@example.com", referral_code=code)
    )
    await upload(billing, session, redeemer, 1000)  # ScoreUploaded overtook UserRegistered
    email = f"{redeemer}@example.com"
    await referrals.open_registered_account(
        session,
        UserRegisteredV1(user_id=redeemer, email=email, referral_code=f"X{code[1:]}", referred_by_code=code),
    )
    assert await billing.notification_address(session, redeemer) == email
    await referrals.mark_email_verified(session, redeemer)
    bonus = billing.settings.referral_bonus_mb
    assert (await billing.plan(session, redeemer)).bonus_mb == bonus
    assert (await billing.plan(session, referrer)).bonus_mb == bonus
