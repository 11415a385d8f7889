"""The monthly report's projection on the migrated schema: each event moves its figure in its UTC
month, active users count once, storage in use is the sum of each user's latest usage, and an
erased user leaves the figures as they were."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.models import MonthlyActiveUser, UserStorage
from scoremate_exports.reports.service import PLAN_CHANGED, ReportService, month_of
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ExportFinishedV1,
    IntegrationEvent,
    LibraryImportedV1,
    PagesCountedV1,
    ProcessingFailedV1,
    QuotaChangedV1,
    ScoreCreatedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
    UserDeletedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.broker import PermanentEventError

MARCH, APRIL, MAY = date(2031, 3, 1), date(2031, 4, 1), date(2031, 5, 1)


class NoStorage:
    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        raise AssertionError("counting never writes to storage")


@pytest.fixture
def reports(exports_settings: ExportsSettings) -> ReportService:
    return ReportService(exports_settings, NoStorage())


@pytest.fixture
async def empty(session: AsyncSession) -> AsyncSession:
    """Storage in use is a running total over every month: start from none (rolled back after)."""
    for table in ("monthly_counts", "monthly_active_users", "user_storage"):
        await session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (constant names)
    return session


def at(month: date, day: int = 10, hour: int = 12) -> datetime:
    return datetime(month.year, month.month, day, hour, tzinfo=UTC)


def uploaded(user: uuid.UUID, size: int) -> ScoreUploadedV1:
    return ScoreUploadedV1(
        score_id=uuid.uuid4(),
        user_id=user,
        object_key="k",
        size_bytes=size,
        mime="application/pdf",
        content_hash="ab" * 32,
    )


def quota(user: uuid.UUID, used: int, reason: str = "score_uploaded") -> QuotaChangedV1:
    return QuotaChangedV1(user_id=user, plan="solo", total_bytes=10**9, used_bytes=used, reason=reason)


def registered(code: str | None = None) -> UserRegisteredV1:
    user = uuid.uuid4()
    return UserRegisteredV1(
        user_id=user, email=f"{user}@example.com", referral_code="X", referred_by_code=code
    )


def figures(report: Any) -> dict[str, Any]:
    return report.model_dump(exclude={"generated_at"})


async def test_every_event_moves_its_figure_in_its_own_month(empty: AsyncSession, reports: ReportService):
    session = empty
    ada, bob = uuid.uuid4(), uuid.uuid4()
    march: list[IntegrationEvent] = [
        registered(),
        registered(code="ADA123"),
        registered(),
        UserDeletedV1(user_id=uuid.uuid4()),
        uploaded(ada, 1000),
        uploaded(ada, 500),
        PagesCountedV1(score_id=uuid.uuid4(), user_id=ada, pages=7, page_sizes=[]),
        PagesCountedV1(score_id=uuid.uuid4(), user_id=ada, pages=3, page_sizes=[]),
        ProcessingFailedV1(score_id=uuid.uuid4(), user_id=ada, kind="pdf_info", reason="encrypted"),
        ProcessingFailedV1(score_id=uuid.uuid4(), user_id=ada, kind="pdf_info", reason="encrypted"),
        ProcessingFailedV1(score_id=uuid.uuid4(), user_id=ada, kind="thumbnail", reason="timeout"),
        UploadRejectedV1(score_id=uuid.uuid4(), user_id=ada, reason="hash mismatch"),
        quota(ada, 1500),
        quota(bob, 0, reason=PLAN_CHANGED),
        ScoreDeletedV1(score_id=uuid.uuid4(), user_id=ada),
        ExportFinishedV1(export_id=uuid.uuid4(), user_id=ada, status="completed"),
        ExportFinishedV1(export_id=uuid.uuid4(), user_id=ada, status="completed"),
        ExportFinishedV1(export_id=uuid.uuid4(), user_id=bob, status="failed"),
        LibraryImportedV1(import_id=uuid.uuid4(), user_id=bob, score_ids=[], setlists_created=1),
    ]
    april: list[IntegrationEvent] = [
        registered(code="BOB456"),
        uploaded(bob, 40),
        PagesCountedV1(score_id=uuid.uuid4(), user_id=bob, pages=2, page_sizes=[]),
        UploadRejectedV1(score_id=uuid.uuid4(), user_id=bob, reason="hash mismatch"),
        quota(bob, 40),
        UserDeletedV1(user_id=uuid.uuid4()),
        UserDeletedV1(user_id=uuid.uuid4()),
    ]
    for n, event in enumerate(march):
        await reports.count(session, event, at(MARCH, hour=n))
    for n, event in enumerate(april):
        await reports.count(session, event, at(APRIL, hour=n))

    assert figures(await reports.read(session, MARCH)) == {
        "month": "2031-03",
        "signups": 3,
        "active_users": 2,  # ada (uploads, deletion), bob (plan change, import)
        "uploads": 2,
        "upload_bytes": 1500,
        "pages_processed": 10,
        "failures": {
            "total": 4,
            "by_reason": {"pdf_info: encrypted": 2, "thumbnail: timeout": 1, "upload: hash mismatch": 1},
        },
        "storage_bytes_in_use": 1500,
        "plan_changes": 1,
        "referrals": 1,
        "exports": {"completed": 2, "failed": 1},
        "imports": 1,
        "scores_deleted": 1,
        "accounts_deleted": 1,
    }
    assert figures(await reports.read(session, APRIL)) == {
        "month": "2031-04",
        "signups": 1,
        "active_users": 1,
        "uploads": 1,
        "upload_bytes": 40,
        "pages_processed": 2,
        "failures": {"total": 1, "by_reason": {"upload: hash mismatch": 1}},
        "storage_bytes_in_use": 1540,
        "plan_changes": 0,
        "referrals": 1,
        "exports": {"completed": 0, "failed": 0},
        "imports": 0,
        "scores_deleted": 0,
        "accounts_deleted": 2,
    }


async def test_the_month_is_the_utc_month_of_the_moment(empty: AsyncSession, reports: ReportService):
    # 23:30 on 31 March in New York is already April in UTC.
    new_york = datetime(2031, 3, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert month_of(new_york) == APRIL
    await reports.count(empty, registered(), new_york)
    assert (await reports.read(empty, MARCH)).signups == 0
    assert (await reports.read(empty, APRIL)).signups == 1


async def test_a_user_active_many_times_in_a_month_is_counted_once(
    empty: AsyncSession, reports: ReportService
):
    ada, bob = uuid.uuid4(), uuid.uuid4()
    for event in (
        uploaded(ada, 1),
        uploaded(ada, 1),
        ScoreDeletedV1(score_id=uuid.uuid4(), user_id=ada),
        quota(ada, 1, reason=PLAN_CHANGED),
        LibraryImportedV1(import_id=uuid.uuid4(), user_id=ada, score_ids=[], setlists_created=0),
        uploaded(bob, 1),
    ):
        await reports.count(empty, event, at(MARCH))
    await reports.count(empty, uploaded(ada, 1), at(APRIL))

    assert (await reports.read(empty, MARCH)).active_users == 2
    assert (await reports.read(empty, APRIL)).active_users == 1
    assert (await reports.read(empty, MAY)).active_users == 0


async def test_only_a_plan_change_makes_a_quota_change_count(empty: AsyncSession, reports: ReportService):
    """Billing's other reasons follow an act counted elsewhere or are no act of the user's (a
    referrer's bonus, derived images)."""
    referrer = uuid.uuid4()
    for reason in ("account_opened", "referral_bonus", "derived_images", "storage_released"):
        await reports.count(empty, quota(referrer, 10, reason=reason), at(MARCH))
    report = await reports.read(empty, MARCH)
    assert (report.plan_changes, report.active_users, report.storage_bytes_in_use) == (0, 0, 10)


async def test_storage_in_use_is_the_sum_of_each_users_latest_usage(
    empty: AsyncSession, reports: ReportService
):
    ada, bob = uuid.uuid4(), uuid.uuid4()
    await reports.count(empty, quota(ada, 100), at(MARCH, hour=1))
    await reports.count(empty, quota(ada, 300), at(MARCH, hour=2))
    await reports.count(empty, quota(bob, 50), at(MARCH, hour=3))
    # A redelivery overtaken by a later announcement changes nothing.
    await reports.count(empty, quota(ada, 999), at(MARCH, hour=1))
    assert (await reports.read(empty, MARCH)).storage_bytes_in_use == 350

    await reports.count(empty, quota(ada, 200), at(APRIL))
    assert (await reports.read(empty, MARCH)).storage_bytes_in_use == 350  # as the month ended
    assert (await reports.read(empty, APRIL)).storage_bytes_in_use == 250
    assert (await reports.read(empty, MAY)).storage_bytes_in_use == 250  # nothing changed since
    assert (await reports.read(empty, date(2031, 2, 1))).storage_bytes_in_use == 0
    kept = (await empty.execute(sa.select(UserStorage.used_bytes).where(UserStorage.user_id == ada))).scalar()
    assert kept == 200


async def test_a_late_usage_of_an_earlier_month_moves_the_latest_total(
    empty: AsyncSession, reports: ReportService
):
    ada, bob = uuid.uuid4(), uuid.uuid4()
    await reports.count(empty, quota(ada, 100), at(MARCH))
    await reports.count(empty, quota(ada, 150), at(APRIL))
    # bob's March change arrives after April's (a retry's delay): the sum now holds it.
    await reports.count(empty, quota(bob, 70), at(MARCH, day=31, hour=23))
    assert (await reports.read(empty, MARCH)).storage_bytes_in_use == 100
    assert (await reports.read(empty, APRIL)).storage_bytes_in_use == 220


async def test_a_long_failure_reason_is_cut(
    empty: AsyncSession, reports: ReportService, exports_settings: ExportsSettings
):
    reason = "x" * 5000
    event = UploadRejectedV1(score_id=uuid.uuid4(), user_id=uuid.uuid4(), reason=reason)
    await reports.count(empty, event, at(MARCH))
    by_reason = (await reports.read(empty, MARCH)).failures.by_reason
    assert [len(r) for r in by_reason] == [exports_settings.report_reason_max_chars]


async def test_an_event_the_report_does_not_count_is_dead_lettered(
    empty: AsyncSession, reports: ReportService
):
    with pytest.raises(PermanentEventError):
        await reports.count(empty, ScoreCreatedV1(score_id=uuid.uuid4(), user_id=uuid.uuid4()), at(MARCH))


def test_the_plan_change_reason_is_billings():
    billing = pytest.importorskip("scoremate_billing.service")
    assert billing.QuotaChangeReason.PLAN_CHANGED == PLAN_CHANGED


async def test_an_erased_user_leaves_no_row_and_the_months_figures_stand(
    clean_reports: Database, reports: ReportService
):
    db = clean_reports
    ada, bob = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    this_month, last_month = month_of(now), month_of(now.replace(day=1) - timedelta(days=1))
    async with db.transaction() as session:
        await reports.count(session, uploaded(ada, 10), at(last_month))
        await reports.count(session, quota(ada, 500), at(last_month))
        await reports.count(session, quota(bob, 100), at(last_month))
        await reports.count(session, uploaded(ada, 10), now)
        await reports.count(session, uploaded(bob, 10), now)

    await reports.erase_user(db, ada)
    await reports.erase_user(db, ada)  # a redelivery erases nothing more

    async with db.session() as session:
        for model in (MonthlyActiveUser, UserStorage):
            assert await session.scalar(sa.select(sa.func.count()).where(model.user_id == ada)) == 0
        before = await reports.read(session, last_month)
        current = await reports.read(session, this_month)
    assert (before.active_users, before.storage_bytes_in_use) == (1, 600)
    assert (current.active_users, current.storage_bytes_in_use) == (2, 100)
