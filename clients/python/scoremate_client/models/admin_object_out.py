from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AdminObjectOut")


@_attrs_define
class AdminObjectOut:
    """
    Attributes:
        key (str):
        user_id (UUID):
        score_id (UUID):
        kind (str):
        page (int | None):
        size_bytes (int):
        created_at (datetime.datetime):
    """

    key: str
    user_id: UUID
    score_id: UUID
    kind: str
    page: int | None
    size_bytes: int
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        user_id = str(self.user_id)

        score_id = str(self.score_id)

        kind = self.kind

        page: int | None
        page = self.page

        size_bytes = self.size_bytes

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "user_id": user_id,
                "score_id": score_id,
                "kind": kind,
                "page": page,
                "size_bytes": size_bytes,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        user_id = UUID(d.pop("user_id"))

        score_id = UUID(d.pop("score_id"))

        kind = d.pop("kind")

        def _parse_page(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        page = _parse_page(d.pop("page"))

        size_bytes = d.pop("size_bytes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        admin_object_out = cls(
            key=key,
            user_id=user_id,
            score_id=score_id,
            kind=kind,
            page=page,
            size_bytes=size_bytes,
            created_at=created_at,
        )

        admin_object_out.additional_properties = d
        return admin_object_out

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
