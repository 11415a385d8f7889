"""GET /admin/reports/monthly on the migrated schema (the app without its lifespan, a test principal
instead of token verification): JSON or CSV, a bad month a 422 problem, the read recorded."""

import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request

from scoremate_exports.main import create_app
from scoremate_exports.reports.admin_api import prefers_csv
from scoremate_exports.reports.schemas import MonthlyReportOut, ReportExportsOut, ReportFailuresOut
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.auth import ADMIN_ROLE, Principal, current_principal
from scoremate_shared.db import Database
from scoremate_shared.events import ProcessingFailedV1, UserRegisteredV1
from scoremate_shared.messaging.tables import outbox_table

MONTH = "2032-01"


async def _principal_from_header(request: Request) -> Principal:
    roles = frozenset({ADMIN_ROLE}) if request.headers.get("x-test-admin") else frozenset()
    return Principal(uuid.UUID(request.headers["x-test-user"]), roles=roles)


@pytest.fixture(scope="module")
def exports_app(exports_db: Database, service_settings: Callable[..., ExportsSettings]) -> FastAPI:
    app = create_app(service_settings(ExportsSettings, "exports"))
    app.state.db = exports_db  # the migrated test database; no lifespan runs
    app.dependency_overrides[current_principal] = _principal_from_header
    return app


@pytest.fixture
async def client(exports_app: FastAPI, clean_reports: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=exports_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://exports") as client:
        yield client
    async with clean_reports.transaction() as session:  # the reads' access-log events
        await session.execute(
            sa.delete(outbox_table).where(outbox_table.c.envelope["type"].astext == "AdminActionRecorded")
        )


@pytest.fixture
async def january(exports_app: FastAPI, clean_reports: Database) -> None:
    """Two sign-ups (one referred) and a failure with a comma in its reason, committed."""
    reports = exports_app.state.runtime.reports
    moment = datetime(2032, 1, 15, tzinfo=UTC)
    async with clean_reports.transaction() as session:
        for code in (None, "ADA123"):
            user = uuid.uuid4()
            signup = UserRegisteredV1(
                user_id=user, email="a@example.com", referral_code="A", referred_by_code=code
            )
            await reports.count(session, signup, moment)
        failure = ProcessingFailedV1(
            score_id=uuid.uuid4(), user_id=uuid.uuid4(), kind="thumbnail", reason="=cmd, then a comma"
        )
        await reports.count(session, failure, moment)


def admin() -> dict[str, str]:
    return {"x-test-user": str(uuid.uuid4()), "x-test-admin": "1"}


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_the_report_is_json_by_default(client: httpx.AsyncClient, january: None):
    response = await client.get("/admin/reports/monthly", params={"month": MONTH}, headers=admin())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"]
    body = response.json()
    assert (body["month"], body["signups"], body["referrals"]) == (MONTH, 2, 1)
    assert body["failures"] == {"total": 1, "by_reason": {"thumbnail: =cmd, then a comma": 1}}
    assert set(body) == set(MonthlyReportOut.model_fields)


@pytest.mark.parametrize(
    ("params", "accept"),
    [({}, "text/csv"), ({"format": "csv"}, "application/json"), ({}, "application/json;q=0.5, text/csv")],
)
async def test_the_report_is_csv_when_asked(
    client: httpx.AsyncClient, january: None, params: dict[str, str], accept: str
):
    response = await client.get(
        "/admin/reports/monthly", params={"month": MONTH, **params}, headers={**admin(), "Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.text)
    assert rows[0] == ["metric", "detail", "value"]
    assert ["month", "", MONTH] in rows
    assert ["signups", "", "2"] in rows
    assert ["failures", "", "1"] in rows
    assert ["failures", "thumbnail: =cmd, then a comma", "1"] in rows  # quoted: it has a comma
    assert '"thumbnail: =cmd, then a comma"' in response.text


async def test_format_json_wins_over_accept(client: httpx.AsyncClient):
    response = await client.get(
        "/admin/reports/monthly",
        params={"month": MONTH, "format": "json"},
        headers={**admin(), "Accept": "text/csv"},
    )
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


@pytest.mark.parametrize("month", ["2032-13", "2032-00", "2032-1", "0000-01", "January", "2032-01-01", ""])
async def test_a_malformed_month_is_a_422_problem(client: httpx.AsyncClient, month: str):
    response = await client.get("/admin/reports/monthly", params={"month": month}, headers=admin())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["query.month"]


async def test_a_missing_month_or_unknown_format_is_a_422_problem(client: httpx.AsyncClient):
    missing = await client.get("/admin/reports/monthly", headers=admin())
    assert (missing.status_code, missing.headers["content-type"]) == (422, "application/problem+json")
    wrong = await client.get(
        "/admin/reports/monthly", params={"month": MONTH, "format": "xml"}, headers=admin()
    )
    assert wrong.status_code == 422


async def test_a_user_without_the_admin_role_is_403(client: httpx.AsyncClient):
    response = await client.get(
        "/admin/reports/monthly", params={"month": MONTH}, headers={"x-test-user": str(uuid.uuid4())}
    )
    assert response.status_code == 403


async def test_each_read_is_recorded_in_the_access_log(client: httpx.AsyncClient, clean_reports: Database):
    who = admin()
    read = await client.get("/admin/reports/monthly", params={"month": MONTH}, headers=who)
    assert read.status_code == 200
    async with clean_reports.session() as session:
        envelopes = (
            await session.scalars(
                sa.select(outbox_table.c.envelope).where(
                    outbox_table.c.envelope["type"].astext == "AdminActionRecorded"
                )
            )
        ).all()
    recorded = [e["data"] for e in envelopes if e["data"]["actor_id"] == who["x-test-user"]]
    assert [(r["action"], r["target"], r["service"]) for r in recorded] == [("report.read", MONTH, "exports")]


def test_accept_picks_csv_only_when_it_weighs_more_than_json():
    assert prefers_csv("text/csv")
    assert prefers_csv("TEXT/CSV; charset=utf-8")
    assert prefers_csv("text/csv, */*")
    assert prefers_csv("application/json;q=0.2, text/csv;q=0.9")
    assert not prefers_csv(None)
    assert not prefers_csv("*/*")
    assert not prefers_csv("application/json, text/csv")
    assert not prefers_csv("text/csv;q=0")
    assert not prefers_csv("text/csv;q=oops")


def test_the_csv_holds_every_figure_of_the_json():
    report = MonthlyReportOut(
        month=MONTH,
        generated_at=datetime(2032, 2, 1, tzinfo=UTC),
        signups=1,
        active_users=2,
        uploads=3,
        upload_bytes=4,
        pages_processed=5,
        failures=ReportFailuresOut(total=3, by_reason={"upload: x": 1, "pdf_info: y": 2}),
        storage_bytes_in_use=6,
        plan_changes=7,
        referrals=8,
        exports=ReportExportsOut(completed=9, failed=10),
        imports=11,
        scores_deleted=12,
        accounts_deleted=13,
    )
    rows = csv_rows(report.to_csv())
    assert rows == [
        ["metric", "detail", "value"],
        ["month", "", MONTH],
        ["generated_at", "", "2032-02-01T00:00:00Z"],
        ["signups", "", "1"],
        ["active_users", "", "2"],
        ["uploads", "", "3"],
        ["upload_bytes", "", "4"],
        ["pages_processed", "", "5"],
        ["failures", "", "3"],
        ["failures", "pdf_info: y", "2"],
        ["failures", "upload: x", "1"],
        ["storage_bytes_in_use", "", "6"],
        ["plan_changes", "", "7"],
        ["referrals", "", "8"],
        ["exports", "completed", "9"],
        ["exports", "failed", "10"],
        ["imports", "", "11"],
        ["scores_deleted", "", "12"],
        ["accounts_deleted", "", "13"],
    ]
    assert report.to_csv().endswith("\r\n")
