from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SetlistItemsIn")


@_attrs_define
class SetlistItemsIn:
    """
    Attributes:
        score_ids (list[UUID]): The whole new order; repeats allowed
    """

    score_ids: list[UUID]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score_ids = []
        for score_ids_item_data in self.score_ids:
            score_ids_item = str(score_ids_item_data)
            score_ids.append(score_ids_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score_ids": score_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        score_ids = []
        _score_ids = d.pop("score_ids")
        for score_ids_item_data in _score_ids:
            score_ids_item = UUID(score_ids_item_data)

            score_ids.append(score_ids_item)

        setlist_items_in = cls(
            score_ids=score_ids,
        )

        setlist_items_in.additional_properties = d
        return setlist_items_in

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
