"""The job that files last month's report to storage (a small sink stands in for the bucket; the
real stack's test is in tests/): once the month is over, exactly once across workers and restarts,
and again after a failed write."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from scoremate_exports.models import MonthlyReportRun
from scoremate_exports.reports.service import ReportService
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import ScoreUploadedV1, UserRegisteredV1

APRIL = date(2031, 4, 1)
EARLY_MAY = datetime(2031, 5, 1, 0, 30, tzinfo=UTC)
MAY = datetime(2031, 5, 1, 2, 0, tzinfo=UTC)
KEYS = ["reports/monthly/2031-04.json", "reports/monthly/2031-04.csv"]


class Sink:
    """Keeps what was put; `pause` leaves time for another worker to try meanwhile."""

    def __init__(self, pause: float = 0.0, fail: bool = False) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.pause = pause
        self.fail = fail

    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        await asyncio.sleep(self.pause)
        if self.fail:
            raise ConnectionError("storage is away")
        self.objects[key] = (body, content_type)


def service(settings: ExportsSettings, sink: Sink) -> ReportService:
    """Filing from 01:00 on the 1st: EARLY_MAY is before, MAY after."""
    return ReportService(settings.model_copy(update={"report_write_after_hours": 1.0}), sink)


async def runs(db: Database) -> list[date]:
    async with db.session() as session:
        return list((await session.scalars(sa.select(MonthlyReportRun.month))).all())


async def test_last_months_report_is_filed_once_as_json_and_csv(
    clean_reports: Database, exports_settings: ExportsSettings
):
    db = clean_reports
    sink = Sink()
    reports = service(exports_settings, sink)
    async with db.transaction() as session:
        user = uuid.uuid4()
        event = UserRegisteredV1(user_id=user, email="a@example.com", referral_code="A")
        await reports.count(session, event, datetime(2031, 4, 3, tzinfo=UTC))
        upload = ScoreUploadedV1(
            score_id=uuid.uuid4(),
            user_id=user,
            object_key="k",
            size_bytes=77,
            mime="application/pdf",
            content_hash="ab" * 32,
        )
        await reports.count(session, upload, datetime(2031, 4, 30, 23, 59, tzinfo=UTC))

    assert await reports.write_last_month_if_due(db, now=MAY) == KEYS
    assert set(sink.objects) == set(KEYS)
    body, content_type = sink.objects[KEYS[0]]
    assert content_type == "application/json"
    filed = json.loads(body)
    figures = (filed["month"], filed["signups"], filed["uploads"], filed["upload_bytes"])
    assert figures == ("2031-04", 1, 1, 77)
    csv_body, csv_type = sink.objects[KEYS[1]]
    assert csv_type.startswith("text/csv")
    lines = csv_body.decode().splitlines()
    assert lines[0] == "metric,detail,value"
    assert "upload_bytes,,77" in lines
    assert await runs(db) == [APRIL]

    # The next round, and a restarted worker, find the month filed.
    assert await reports.write_last_month_if_due(db, now=MAY) is None
    restarted = Sink()
    assert await service(exports_settings, restarted).write_last_month_if_due(db, now=MAY) is None
    assert restarted.objects == {}


async def test_nothing_is_filed_before_the_month_has_settled(
    clean_reports: Database, exports_settings: ExportsSettings
):
    sink = Sink()
    assert await service(exports_settings, sink).write_last_month_if_due(clean_reports, now=EARLY_MAY) is None
    assert (sink.objects, await runs(clean_reports)) == ({}, [])


async def test_two_workers_at_once_file_the_report_once(
    clean_reports: Database, exports_settings: ExportsSettings
):
    first, second = Sink(pause=0.2), Sink(pause=0.2)
    written = await asyncio.gather(
        service(exports_settings, first).write_last_month_if_due(clean_reports, now=MAY),
        service(exports_settings, second).write_last_month_if_due(clean_reports, now=MAY),
    )
    assert sorted(written, key=bool) == [None, KEYS]
    assert len(first.objects) + len(second.objects) == 2
    assert await runs(clean_reports) == [APRIL]


async def test_a_failed_write_is_tried_again_at_the_next_round(
    clean_reports: Database, exports_settings: ExportsSettings
):
    away = Sink(fail=True)
    with pytest.raises(ConnectionError):
        await service(exports_settings, away).write_last_month_if_due(clean_reports, now=MAY)
    assert await runs(clean_reports) == []
    back = Sink()
    assert await service(exports_settings, back).write_last_month_if_due(clean_reports, now=MAY) == KEYS
    assert set(back.objects) == set(KEYS)
