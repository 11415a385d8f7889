from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AccessLogOut")


@_attrs_define
class AccessLogOut:
    """
    Attributes:
        id (int):
        user_id (UUID):
        action (str):
        score_id (None | UUID):
        object_key (None | str):
        request_id (None | str):
        at (datetime.datetime):
    """

    id: int
    user_id: UUID
    action: str
    score_id: None | UUID
    object_key: None | str
    request_id: None | str
    at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        user_id = str(self.user_id)

        action = self.action

        score_id: None | str
        if isinstance(self.score_id, UUID):
            score_id = str(self.score_id)
        else:
            score_id = self.score_id

        object_key: None | str
        object_key = self.object_key

        request_id: None | str
        request_id = self.request_id

        at = self.at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "user_id": user_id,
                "action": action,
                "score_id": score_id,
                "object_key": object_key,
                "request_id": request_id,
                "at": at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        user_id = UUID(d.pop("user_id"))

        action = d.pop("action")

        def _parse_score_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                score_id_type_0 = UUID(data)

                return score_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        score_id = _parse_score_id(d.pop("score_id"))

        def _parse_object_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        object_key = _parse_object_key(d.pop("object_key"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

        access_log_out = cls(
            id=id,
            user_id=user_id,
            action=action,
            score_id=score_id,
            object_key=object_key,
            request_id=request_id,
            at=at,
        )

        access_log_out.additional_properties = d
        return access_log_out

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
