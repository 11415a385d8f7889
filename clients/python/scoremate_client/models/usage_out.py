from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.usage_out_warning_type_0 import UsageOutWarningType0

T = TypeVar("T", bound="UsageOut")


@_attrs_define
class UsageOut:
    """
    Attributes:
        used_bytes (int):
        total_bytes (int):
        percent (float):
        warning (None | UsageOutWarningType0):
        scores (int):
    """

    used_bytes: int
    total_bytes: int
    percent: float
    warning: None | UsageOutWarningType0
    scores: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        used_bytes = self.used_bytes

        total_bytes = self.total_bytes

        percent = self.percent

        warning: int | None
        if isinstance(self.warning, UsageOutWarningType0):
            warning = self.warning.value
        else:
            warning = self.warning

        scores = self.scores

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "used_bytes": used_bytes,
                "total_bytes": total_bytes,
                "percent": percent,
                "warning": warning,
                "scores": scores,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        used_bytes = d.pop("used_bytes")

        total_bytes = d.pop("total_bytes")

        percent = d.pop("percent")

        def _parse_warning(data: object) -> None | UsageOutWarningType0:
            if data is None:
                return data
            try:
                if not isinstance(data, int):
                    raise TypeError()
                warning_type_0 = UsageOutWarningType0(data)

                return warning_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UsageOutWarningType0, data)

        warning = _parse_warning(d.pop("warning"))

        scores = d.pop("scores")

        usage_out = cls(
            used_bytes=used_bytes,
            total_bytes=total_bytes,
            percent=percent,
            warning=warning,
            scores=scores,
        )

        usage_out.additional_properties = d
        return usage_out

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
