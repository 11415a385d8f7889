from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_out_plan import UserOutPlan
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserOut")


@_attrs_define
class UserOut:
    """
    Attributes:
        id (UUID):
        email (str):
        plan (UserOutPlan):
        referral_code (str):
        created_at (datetime.datetime):
        email_verified (bool | Unset): A token e-mailed to the address came back; referral bonuses wait for it Default:
            False.
    """

    id: UUID
    email: str
    plan: UserOutPlan
    referral_code: str
    created_at: datetime.datetime
    email_verified: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        email = self.email

        plan = self.plan.value

        referral_code = self.referral_code

        created_at = self.created_at.isoformat()

        email_verified = self.email_verified

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "plan": plan,
                "referral_code": referral_code,
                "created_at": created_at,
            }
        )
        if email_verified is not UNSET:
            field_dict["email_verified"] = email_verified

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        email = d.pop("email")

        plan = UserOutPlan(d.pop("plan"))

        referral_code = d.pop("referral_code")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email_verified = d.pop("email_verified", UNSET)

        user_out = cls(
            id=id,
            email=email,
            plan=plan,
            referral_code=referral_code,
            created_at=created_at,
            email_verified=email_verified,
        )

        user_out.additional_properties = d
        return user_out

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
