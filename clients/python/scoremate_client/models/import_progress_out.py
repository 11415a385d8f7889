from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ImportProgressOut")


@_attrs_define
class ImportProgressOut:
    """
    Attributes:
        bytes_read (int): Bytes of the archive read and checked so far
        bytes_total (int): The archive's size
        scores_total (int): Scores handed on to be created (duplicates are not)
        scores_stored (int): Of those, stored and being processed
        scores_failed (int): Of those, refused by the upload's verification
    """

    bytes_read: int
    bytes_total: int
    scores_total: int
    scores_stored: int
    scores_failed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bytes_read = self.bytes_read

        bytes_total = self.bytes_total

        scores_total = self.scores_total

        scores_stored = self.scores_stored

        scores_failed = self.scores_failed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bytes_read": bytes_read,
                "bytes_total": bytes_total,
                "scores_total": scores_total,
                "scores_stored": scores_stored,
                "scores_failed": scores_failed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bytes_read = d.pop("bytes_read")

        bytes_total = d.pop("bytes_total")

        scores_total = d.pop("scores_total")

        scores_stored = d.pop("scores_stored")

        scores_failed = d.pop("scores_failed")

        import_progress_out = cls(
            bytes_read=bytes_read,
            bytes_total=bytes_total,
            scores_total=scores_total,
            scores_stored=scores_stored,
            scores_failed=scores_failed,
        )

        import_progress_out.additional_properties = d
        return import_progress_out

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
