"""The monthly report for admins: thin, the decisions are in service.py."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from scoremate_exports.reports.schemas import MonthlyReportOut
from scoremate_exports.reports.service import ReportService
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.responses import FastJSONResponse

router = APIRouter(prefix="/admin/reports", tags=["admin"])

CSV = "text/csv; charset=utf-8"


async def get_reports(request: Request) -> ReportService:
    reports: ReportService = request.app.state.runtime.reports
    return reports


ReportsDep = Annotated[ReportService, Depends(get_reports)]
# No year 0: a month the calendar has.
MonthQuery = Annotated[
    str,
    Query(
        pattern=r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", description="The UTC month, YYYY-MM", examples=["2025-03"]
    ),
]
FormatQuery = Annotated[
    Literal["json", "csv"] | None,
    Query(alias="format", description="`csv` for CSV whatever `Accept` says; default: by `Accept`"),
]


def prefers_csv(accept: str | None) -> bool:
    """`Accept` names text/csv with a higher weight than application/json (wildcards count for
    neither: a client that takes anything gets JSON)."""
    weights = {"text/csv": 0.0, "application/json": 0.0}
    for media_range in (accept or "").split(","):
        media_type, *params = (part.strip() for part in media_range.split(";"))
        if media_type.lower() not in weights:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media_type.lower()] = weight
    return weights["text/csv"] > weights["application/json"]


@router.get(
    "/monthly",
    summary="The activity report of one month, as JSON or CSV",
    response_model=MonthlyReportOut,
    responses={
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "metric,detail,value\r\nmonth,,2025-03\r\nsignups,,12\r\n",
                }
            }
        }
    },
)
async def get_monthly_report(
    admin: AdminUser,
    session: SessionDep,
    reports: ReportsDep,
    month: MonthQuery,
    format_: FormatQuery = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Sign-ups, active users, uploads, pages, failures by reason, storage in use, plan changes,
    referrals, exports, imports and deletions of a UTC month. CSV (`metric,detail,value`) for
    `format=csv` or `Accept: text/csv`. Recorded in the access log as `report.read`."""
    report = await reports.read_for_admin(session, admin, month)
    vary = {"Vary": "Accept"}
    if format_ == "csv" or (format_ is None and prefers_csv(accept)):
        disposition = f'inline; filename="scoremate-report-{month}.csv"'
        return Response(report.to_csv(), media_type=CSV, headers={**vary, "Content-Disposition": disposition})
    return FastJSONResponse(report.model_dump(mode="json"), headers=vary)
