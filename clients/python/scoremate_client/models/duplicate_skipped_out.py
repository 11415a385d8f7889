from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DuplicateSkippedOut")


@_attrs_define
class DuplicateSkippedOut:
    """
    Attributes:
        title (str): The archive's title of the skipped score
        content_hash (str):
        existing_score_id (UUID): The score that has this content: the caller's, or one this import creates
    """

    title: str
    content_hash: str
    existing_score_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        content_hash = self.content_hash

        existing_score_id = str(self.existing_score_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "title": title,
                "content_hash": content_hash,
                "existing_score_id": existing_score_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        content_hash = d.pop("content_hash")

        existing_score_id = UUID(d.pop("existing_score_id"))

        duplicate_skipped_out = cls(
            title=title,
            content_hash=content_hash,
            existing_score_id=existing_score_id,
        )

        duplicate_skipped_out.additional_properties = d
        return duplicate_skipped_out

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
