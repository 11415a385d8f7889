"""The monthly report as admins read it (JSON) and as a spreadsheet takes it (CSV)."""

import csv
import io
from datetime import UTC, datetime

from pydantic import BaseModel, Field

CSV_HEADER = ("metric", "detail", "value")


class ReportFailuresOut(BaseModel):
    total: int = Field(description="Uploads refused and processing jobs failed for good")
    by_reason: dict[str, int] = Field(
        description="`<kind>: <reason>` (`pdf_info`, `thumbnail`) or `upload: <reason>` -> count"
    )


class ReportExportsOut(BaseModel):
    completed: int
    failed: int


class MonthlyReportOut(BaseModel):
    """One UTC month's activity, as the events of the bus told of it."""

    month: str = Field(description="YYYY-MM (UTC)", examples=["2025-03"])
    generated_at: datetime
    signups: int
    active_users: int = Field(
        description="Users who uploaded, deleted or imported scores or changed plan, each once"
    )
    uploads: int = Field(description="Originals verified and stored")
    upload_bytes: int
    pages_processed: int
    failures: ReportFailuresOut
    storage_bytes_in_use: int = Field(
        description="Every user's storage at the month's last change (the month before's if none)"
    )
    plan_changes: int
    referrals: int = Field(description="Sign-ups that gave a referral code")
    exports: ReportExportsOut
    imports: int = Field(description="Archives whose scores and setlists the library created")
    scores_deleted: int
    accounts_deleted: int

    def rows(self) -> list[tuple[str, str, str | int]]:
        """`(metric, detail, value)` rows: one per figure, then one per failure reason and export
        outcome (detail empty for a figure of its own)."""
        rows: list[tuple[str, str, str | int]] = [
            ("month", "", self.month),
            ("generated_at", "", self.generated_at.astimezone(UTC).isoformat().replace("+00:00", "Z")),
        ]
        for name in ("signups", "active_users", "uploads", "upload_bytes", "pages_processed"):
            rows.append((name, "", getattr(self, name)))
        rows.append(("failures", "", self.failures.total))
        rows += [("failures", reason, n) for reason, n in sorted(self.failures.by_reason.items())]
        for name in ("storage_bytes_in_use", "plan_changes", "referrals"):
            rows.append((name, "", getattr(self, name)))
        rows += [("exports", "completed", self.exports.completed), ("exports", "failed", self.exports.failed)]
        for name in ("imports", "scores_deleted", "accounts_deleted"):
            rows.append((name, "", getattr(self, name)))
        return rows

    def to_csv(self) -> str:
        out = io.StringIO()
        # RFC 4180: CRLF, quotes where a reason needs them. A reason starts with its kind
        # (`upload: `), so no cell starts a spreadsheet formula.
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(self.rows())
        return out.getvalue()
