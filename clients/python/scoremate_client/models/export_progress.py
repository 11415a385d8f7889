from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExportProgress")


@_attrs_define
class ExportProgress:
    """
    Attributes:
        parts_received (int): Parts of the current attempt in (library, profile, billing)
        parts_expected (int):
        scores_total (int | None): Scores in the archive; known once the library's part is in
        scores_packed (int): Scores wholly written into the archive so far
    """

    parts_received: int
    parts_expected: int
    scores_total: int | None
    scores_packed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        parts_received = self.parts_received

        parts_expected = self.parts_expected

        scores_total: int | None
        scores_total = self.scores_total

        scores_packed = self.scores_packed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "parts_received": parts_received,
                "parts_expected": parts_expected,
                "scores_total": scores_total,
                "scores_packed": scores_packed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        parts_received = d.pop("parts_received")

        parts_expected = d.pop("parts_expected")

        def _parse_scores_total(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        scores_total = _parse_scores_total(d.pop("scores_total"))

        scores_packed = d.pop("scores_packed")

        export_progress = cls(
            parts_received=parts_received,
            parts_expected=parts_expected,
            scores_total=scores_total,
            scores_packed=scores_packed,
        )

        export_progress.additional_properties = d
        return export_progress

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
