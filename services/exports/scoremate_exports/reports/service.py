"""The monthly activity report: a projection of the bus (figures per UTC month that carry no user;
only the month's active users and each user's latest storage name one, and they go with the
account), its reading, and the job that files last month's report to storage."""

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.models import (
    MonthlyActiveUser,
    MonthlyCount,
    MonthlyReportRun,
    ReportMetric,
    UserStorage,
)
from scoremate_exports.reports.schemas import MonthlyReportOut, ReportExportsOut, ReportFailuresOut
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ExportFinishedV1,
    IntegrationEvent,
    LibraryImportedV1,
    PagesCountedV1,
    ProcessingFailedV1,
    QuotaChangedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
    UserDeletedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.broker import PermanentEventError

log = logging.getLogger(__name__)

# QuotaChanged's `reason` when the user changed plan (billing's QuotaChangeReason.PLAN_CHANGED);
# billing's other reasons follow an act counted elsewhere (an upload, a deletion, a sign-up) or
# are no act of the user's (derived images, a referrer's bonus).
PLAN_CHANGED = "plan_changed"
# The running total of storage in use is moved under this transaction lock: a new month's row
# starts from the month before, which no concurrent change may move meanwhile.
_STORAGE_LOCK = sa.func.hashtextextended("scoremate.exports.report.storage", 0)
REPORTS_PREFIX = "reports/monthly/"


class ObjectSink(Protocol):
    """Where the filed reports go (ObjectStorage)."""

    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None: ...


def month_of(moment: datetime) -> date:
    """The first day of the moment's UTC month (a naive moment is taken as UTC)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return date(utc.year, utc.month, 1)


def month_from_text(text: str) -> date:
    """`YYYY-MM` (checked by the route's pattern) as the month's first day."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def report_keys(month: date) -> tuple[str, str]:
    """Where the scheduled job files a month's report: JSON, then CSV."""
    name = f"{REPORTS_PREFIX}{month:%Y-%m}"
    return f"{name}.json", f"{name}.csv"


class ReportService:
    def __init__(self, settings: ExportsSettings, storage: ObjectSink) -> None:
        self.settings = settings
        self.storage = storage

    # --- the projection ---------------------------------------------------------------------------

    async def count(self, session: AsyncSession, event: IntegrationEvent, occurred_at: datetime) -> None:
        """Move the figures of `occurred_at`'s month by the event. The inbox delivers each event
        once, so this counts plainly."""
        month = month_of(occurred_at)
        match event:
            case UserRegisteredV1():
                await self._add(session, month, ReportMetric.SIGNUPS)
                if event.referred_by_code:
                    await self._add(session, month, ReportMetric.REFERRALS)
            case UserDeletedV1():
                await self._add(session, month, ReportMetric.ACCOUNTS_DELETED)
            case ScoreUploadedV1():
                await self._add(session, month, ReportMetric.UPLOADS)
                await self._add(session, month, ReportMetric.UPLOAD_BYTES, by=event.size_bytes)
                await self._mark_active(session, month, event.user_id)
            case PagesCountedV1():
                await self._add(session, month, ReportMetric.PAGES_PROCESSED, by=event.pages)
            case ProcessingFailedV1():
                await self._add_failure(session, month, f"{event.kind}: {event.reason}")
            case UploadRejectedV1():
                await self._add_failure(session, month, f"upload: {event.reason}")
            case QuotaChangedV1():
                await self._set_storage(session, month, event.user_id, event.used_bytes, occurred_at)
                if event.reason == PLAN_CHANGED:
                    await self._add(session, month, ReportMetric.PLAN_CHANGES)
                    await self._mark_active(session, month, event.user_id)
            case ScoreDeletedV1():
                await self._add(session, month, ReportMetric.SCORES_DELETED)
                await self._mark_active(session, month, event.user_id)
            case ExportFinishedV1():
                await self._add(session, month, ReportMetric.EXPORTS, event.status)
            case LibraryImportedV1():
                await self._add(session, month, ReportMetric.IMPORTS)
                await self._mark_active(session, month, event.user_id)
            case _:
                raise PermanentEventError(f"the monthly report counts no {type(event).__name__}")

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        """Forget the user (months active, storage) and keep the figures: each month they were
        active keeps them as an erased active user; their storage leaves this month's total."""
        async with db.transaction() as session:
            # First, as a QuotaChanged takes it before it marks its user active: never the
            # other way round (a deadlock).
            await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_STORAGE_LOCK)))
            months = await session.scalars(
                sa.delete(MonthlyActiveUser)
                .where(MonthlyActiveUser.user_id == user_id)
                .returning(MonthlyActiveUser.month)
            )
            for month in months.all():
                await self._add(session, month, ReportMetric.ACTIVE_USERS_ERASED)
            used = await session.scalar(
                sa.delete(UserStorage).where(UserStorage.user_id == user_id).returning(UserStorage.used_bytes)
            )
            if used:
                await self._move_storage(session, month_of(datetime.now(UTC)), -used)

    async def _add(
        self, session: AsyncSession, month: date, metric: ReportMetric, detail: str = "", by: int = 1
    ) -> None:
        added = insert(MonthlyCount).values(month=month, metric=metric, detail=detail, value=by)
        await session.execute(
            added.on_conflict_do_update(
                index_elements=[MonthlyCount.month, MonthlyCount.metric, MonthlyCount.detail],
                set_={"value": MonthlyCount.value + added.excluded.value},
            )
        )

    async def _add_failure(self, session: AsyncSession, month: date, reason: str) -> None:
        # Reasons are free text (and part of the key): a long one is cut.
        await self._add(
            session, month, ReportMetric.FAILURES, reason[: self.settings.report_reason_max_chars]
        )

    async def _mark_active(self, session: AsyncSession, month: date, user_id: uuid.UUID) -> None:
        await session.execute(
            insert(MonthlyActiveUser).values(month=month, user_id=user_id).on_conflict_do_nothing()
        )

    async def _set_storage(
        self, session: AsyncSession, month: date, user_id: uuid.UUID, used_bytes: int, as_of: datetime
    ) -> None:
        """The user's latest usage replaces what they had; the total moves by the difference. An
        announcement older than the one kept (overtaken on its way) changes nothing."""
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_STORAGE_LOCK)))
        kept = (
            await session.execute(
                sa.select(UserStorage.used_bytes, UserStorage.as_of).where(UserStorage.user_id == user_id)
            )
        ).first()
        if kept is not None and kept.as_of > as_of:
            return
        delta = used_bytes - (kept.used_bytes if kept is not None else 0)
        stored = insert(UserStorage).values(user_id=user_id, used_bytes=used_bytes, as_of=as_of)
        await session.execute(
            stored.on_conflict_do_update(
                index_elements=[UserStorage.user_id],
                set_={"used_bytes": stored.excluded.used_bytes, "as_of": stored.excluded.as_of},
            )
        )
        await self._move_storage(session, month, delta)

    async def _move_storage(self, session: AsyncSession, month: date, delta: int) -> None:
        """Move the running total by `delta` in `month`, or in the latest month that has a total
        if that is later (a late event of an earlier month: the earlier total stays as it was
        filed). A month's first change starts from the month before's total. Under _STORAGE_LOCK."""
        storage = MonthlyCount.metric == ReportMetric.STORAGE_BYTES_IN_USE
        latest = await session.scalar(sa.select(sa.func.max(MonthlyCount.month)).where(storage))
        target = max(month, latest) if latest is not None else month
        before = (
            sa.select(MonthlyCount.value)
            .where(storage, MonthlyCount.month < target)
            .order_by(MonthlyCount.month.desc())
            .limit(1)
            .scalar_subquery()
        )
        moved = insert(MonthlyCount).values(
            month=target,
            metric=ReportMetric.STORAGE_BYTES_IN_USE,
            detail="",
            value=sa.func.coalesce(before, 0) + delta,
        )
        await session.execute(
            moved.on_conflict_do_update(
                index_elements=[MonthlyCount.month, MonthlyCount.metric, MonthlyCount.detail],
                set_={"value": MonthlyCount.value + delta},
            )
        )

    # --- reading ----------------------------------------------------------------------------------

    async def read(self, session: AsyncSession, month: date) -> MonthlyReportOut:
        """Every figure of the month (zero where nothing happened)."""
        counts = await session.execute(
            sa.select(MonthlyCount.metric, MonthlyCount.detail, MonthlyCount.value).where(
                MonthlyCount.month == month, MonthlyCount.metric != ReportMetric.STORAGE_BYTES_IN_USE
            )
        )
        totals: dict[str, int] = {}
        failures: dict[str, int] = {}
        exports: dict[str, int] = {}
        for metric, detail, value in counts.all():
            if metric == ReportMetric.FAILURES:
                failures[detail] = value
            elif metric == ReportMetric.EXPORTS:
                exports[detail] = value
            else:
                totals[metric] = value
        active = await session.scalar(
            sa.select(sa.func.count()).select_from(MonthlyActiveUser).where(MonthlyActiveUser.month == month)
        )
        storage = await session.scalar(
            sa.select(MonthlyCount.value)
            .where(MonthlyCount.metric == ReportMetric.STORAGE_BYTES_IN_USE, MonthlyCount.month <= month)
            .order_by(MonthlyCount.month.desc())
            .limit(1)
        )
        return MonthlyReportOut(
            month=f"{month:%Y-%m}",
            generated_at=datetime.now(UTC),
            signups=totals.get(ReportMetric.SIGNUPS, 0),
            active_users=int(active or 0) + totals.get(ReportMetric.ACTIVE_USERS_ERASED, 0),
            uploads=totals.get(ReportMetric.UPLOADS, 0),
            upload_bytes=totals.get(ReportMetric.UPLOAD_BYTES, 0),
            pages_processed=totals.get(ReportMetric.PAGES_PROCESSED, 0),
            failures=ReportFailuresOut(total=sum(failures.values()), by_reason=failures),
            storage_bytes_in_use=storage or 0,
            plan_changes=totals.get(ReportMetric.PLAN_CHANGES, 0),
            referrals=totals.get(ReportMetric.REFERRALS, 0),
            exports=ReportExportsOut(completed=exports.get("completed", 0), failed=exports.get("failed", 0)),
            imports=totals.get(ReportMetric.IMPORTS, 0),
            scores_deleted=totals.get(ReportMetric.SCORES_DELETED, 0),
            accounts_deleted=totals.get(ReportMetric.ACCOUNTS_DELETED, 0),
        )

    async def read_for_admin(self, session: AsyncSession, admin: Principal, month: str) -> MonthlyReportOut:
        """The month's report; the read is an admin action (access log)."""
        report = await self.read(session, month_from_text(month))
        await record_admin_action(session, self.settings.service_name, admin, "report.read", month)
        return report

    # --- the schedule -----------------------------------------------------------------------------

    async def write_last_month_if_due(self, db: Database, now: datetime | None = None) -> list[str] | None:
        """File last month's report (JSON and CSV) to storage once, from REPORT_WRITE_AFTER_HOURS
        into the new month; the keys written, or None when there was nothing to do.

        Exactly once across workers and restarts: the month's run row is claimed first, in the
        transaction that writes the objects; a second worker's claim waits for that commit (then
        finds the row) or its rollback (then writes them itself). A failed write rolls the claim
        back and the next round tries again; objects written before a failed commit are rewritten
        with the same keys."""
        now = now or datetime.now(UTC)
        this_month = month_of(now)
        due = datetime(this_month.year, this_month.month, 1, tzinfo=UTC) + timedelta(
            hours=self.settings.report_write_after_hours
        )
        if now < due:
            return None
        month = previous_month(this_month)
        keys = list(report_keys(month))
        async with db.transaction() as session:
            claimed = await session.scalar(
                insert(MonthlyReportRun)
                .values(month=month, keys=keys)
                .on_conflict_do_nothing()
                .returning(MonthlyReportRun.month)
            )
            if claimed is None:
                return None
            report = await self.read(session, month)
            json_key, csv_key = keys
            await self.storage.put_bytes(json_key, report.model_dump_json().encode(), "application/json")
            await self.storage.put_bytes(csv_key, report.to_csv().encode(), "text/csv; charset=utf-8")
        log.info("filed the report of %s to %s", f"{month:%Y-%m}", ", ".join(keys))
        return keys
