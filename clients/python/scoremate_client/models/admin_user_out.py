from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.plan import Plan

T = TypeVar("T", bound="AdminUserOut")


@_attrs_define
class AdminUserOut:
    """
    Attributes:
        user_id (UUID):
        plan (Plan): An account's plan (the stored value, the API's `plan` and QuotaChanged's).
        total_quota_bytes (int):
        used_bytes (int):
        created_at (datetime.datetime):
    """

    user_id: UUID
    plan: Plan
    total_quota_bytes: int
    used_bytes: int
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = str(self.user_id)

        plan = self.plan.value

        total_quota_bytes = self.total_quota_bytes

        used_bytes = self.used_bytes

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "plan": plan,
                "total_quota_bytes": total_quota_bytes,
                "used_bytes": used_bytes,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = UUID(d.pop("user_id"))

        plan = Plan(d.pop("plan"))

        total_quota_bytes = d.pop("total_quota_bytes")

        used_bytes = d.pop("used_bytes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        admin_user_out = cls(
            user_id=user_id,
            plan=plan,
            total_quota_bytes=total_quota_bytes,
            used_bytes=used_bytes,
            created_at=created_at,
        )

        admin_user_out.additional_properties = d
        return admin_user_out

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
