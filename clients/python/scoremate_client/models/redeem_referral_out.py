from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.referral_status import ReferralStatus

T = TypeVar("T", bound="RedeemReferralOut")


@_attrs_define
class RedeemReferralOut:
    """
    Attributes:
        bonus_mb (int):
        total_quota_mb (int):
        status (ReferralStatus):
    """

    bonus_mb: int
    total_quota_mb: int
    status: ReferralStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bonus_mb = self.bonus_mb

        total_quota_mb = self.total_quota_mb

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bonus_mb": bonus_mb,
                "total_quota_mb": total_quota_mb,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bonus_mb = d.pop("bonus_mb")

        total_quota_mb = d.pop("total_quota_mb")

        status = ReferralStatus(d.pop("status"))

        redeem_referral_out = cls(
            bonus_mb=bonus_mb,
            total_quota_mb=total_quota_mb,
            status=status,
        )

        redeem_referral_out.additional_properties = d
        return redeem_referral_out

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
