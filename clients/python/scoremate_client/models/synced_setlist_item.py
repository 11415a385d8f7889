from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SyncedSetlistItem")


@_attrs_define
class SyncedSetlistItem:
    """
    Attributes:
        score_id (UUID):
        order_index (int):
        title (str):
    """

    score_id: UUID
    order_index: int
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score_id = str(self.score_id)

        order_index = self.order_index

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score_id": score_id,
                "order_index": order_index,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        score_id = UUID(d.pop("score_id"))

        order_index = d.pop("order_index")

        title = d.pop("title")

        synced_setlist_item = cls(
            score_id=score_id,
            order_index=order_index,
            title=title,
        )

        synced_setlist_item.additional_properties = d
        return synced_setlist_item

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
