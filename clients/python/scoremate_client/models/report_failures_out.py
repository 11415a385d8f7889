from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.report_failures_out_by_reason import ReportFailuresOutByReason


T = TypeVar("T", bound="ReportFailuresOut")


@_attrs_define
class ReportFailuresOut:
    """
    Attributes:
        total (int): Uploads refused and processing jobs failed for good
        by_reason (ReportFailuresOutByReason): `<kind>: <reason>` (`pdf_info`, `thumbnail`) or `upload: <reason>` ->
            count
    """

    total: int
    by_reason: ReportFailuresOutByReason
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        by_reason = self.by_reason.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
                "by_reason": by_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.report_failures_out_by_reason import ReportFailuresOutByReason  # noqa: PLC0415

        d = dict(src_dict)
        total = d.pop("total")

        by_reason = ReportFailuresOutByReason.from_dict(d.pop("by_reason"))

        report_failures_out = cls(
            total=total,
            by_reason=by_reason,
        )

        report_failures_out.additional_properties = d
        return report_failures_out

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
