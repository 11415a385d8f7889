from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.report_exports_out import ReportExportsOut
    from ..models.report_failures_out import ReportFailuresOut


T = TypeVar("T", bound="MonthlyReportOut")


@_attrs_define
class MonthlyReportOut:
    """One UTC month's activity, as the events of the bus told of it.

    Attributes:
        month (str): YYYY-MM (UTC)
        generated_at (datetime.datetime):
        signups (int):
        active_users (int): Users who uploaded, deleted or imported scores or changed plan, each once
        uploads (int): Originals verified and stored
        upload_bytes (int):
        pages_processed (int):
        failures (ReportFailuresOut):
        storage_bytes_in_use (int): Every user's storage at the month's last change (the month before's if none)
        plan_changes (int):
        referrals (int): Sign-ups that gave a referral code
        exports (ReportExportsOut):
        imports (int): Archives whose scores and setlists the library created
        scores_deleted (int):
        accounts_deleted (int):
    """

    month: str
    generated_at: datetime.datetime
    signups: int
    active_users: int
    uploads: int
    upload_bytes: int
    pages_processed: int
    failures: ReportFailuresOut
    storage_bytes_in_use: int
    plan_changes: int
    referrals: int
    exports: ReportExportsOut
    imports: int
    scores_deleted: int
    accounts_deleted: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        month = self.month

        generated_at = self.generated_at.isoformat()

        signups = self.signups

        active_users = self.active_users

        uploads = self.uploads

        upload_bytes = self.upload_bytes

        pages_processed = self.pages_processed

        failures = self.failures.to_dict()

        storage_bytes_in_use = self.storage_bytes_in_use

        plan_changes = self.plan_changes

        referrals = self.referrals

        exports = self.exports.to_dict()

        imports = self.imports

        scores_deleted = self.scores_deleted

        accounts_deleted = self.accounts_deleted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "month": month,
                "generated_at": generated_at,
                "signups": signups,
                "active_users": active_users,
                "uploads": uploads,
                "upload_bytes": upload_bytes,
                "pages_processed": pages_processed,
                "failures": failures,
                "storage_bytes_in_use": storage_bytes_in_use,
                "plan_changes": plan_changes,
                "referrals": referrals,
                "exports": exports,
                "imports": imports,
                "scores_deleted": scores_deleted,
                "accounts_deleted": accounts_deleted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.report_exports_out import ReportExportsOut  # noqa: PLC0415
        from ..models.report_failures_out import ReportFailuresOut  # noqa: PLC0415

        d = dict(src_dict)
        month = d.pop("month")

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        signups = d.pop("signups")

        active_users = d.pop("active_users")

        uploads = d.pop("uploads")

        upload_bytes = d.pop("upload_bytes")

        pages_processed = d.pop("pages_processed")

        failures = ReportFailuresOut.from_dict(d.pop("failures"))

        storage_bytes_in_use = d.pop("storage_bytes_in_use")

        plan_changes = d.pop("plan_changes")

        referrals = d.pop("referrals")

        exports = ReportExportsOut.from_dict(d.pop("exports"))

        imports = d.pop("imports")

        scores_deleted = d.pop("scores_deleted")

        accounts_deleted = d.pop("accounts_deleted")

        monthly_report_out = cls(
            month=month,
            generated_at=generated_at,
            signups=signups,
            active_users=active_users,
            uploads=uploads,
            upload_bytes=upload_bytes,
            pages_processed=pages_processed,
            failures=failures,
            storage_bytes_in_use=storage_bytes_in_use,
            plan_changes=plan_changes,
            referrals=referrals,
            exports=exports,
            imports=imports,
            scores_deleted=scores_deleted,
            accounts_deleted=accounts_deleted,
        )

        monthly_report_out.additional_properties = d
        return monthly_report_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
