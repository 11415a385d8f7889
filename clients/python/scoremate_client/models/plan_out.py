from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.plan import Plan

T = TypeVar("T", bound="PlanOut")


@_attrs_define
class PlanOut:
    """
    Attributes:
        plan (Plan): An account's plan (the stored value, the API's `plan` and QuotaChanged's).
        base_quota_mb (int):
        bonus_mb (int):
        total_quota_mb (int):
    """

    plan: Plan
    base_quota_mb: int
    bonus_mb: int
    total_quota_mb: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan.value

        base_quota_mb = self.base_quota_mb

        bonus_mb = self.bonus_mb

        total_quota_mb = self.total_quota_mb

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plan": plan,
                "base_quota_mb": base_quota_mb,
                "bonus_mb": bonus_mb,
                "total_quota_mb": total_quota_mb,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        plan = Plan(d.pop("plan"))

        base_quota_mb = d.pop("base_quota_mb")

        bonus_mb = d.pop("bonus_mb")

        total_quota_mb = d.pop("total_quota_mb")

        plan_out = cls(
            plan=plan,
            base_quota_mb=base_quota_mb,
            bonus_mb=bonus_mb,
            total_quota_mb=total_quota_mb,
        )

        plan_out.additional_properties = d
        return plan_out

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
