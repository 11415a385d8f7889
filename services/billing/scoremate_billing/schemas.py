"""Request and response bodies of the billing API."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scoremate_billing.models import HistoryKind, Plan, ReferralStatus


class PlanOut(BaseModel):
    plan: Plan
    base_quota_mb: int
    bonus_mb: int
    total_quota_mb: int


class UsageOut(BaseModel):
    used_bytes: int
    total_bytes: int
    percent: float
    warning: Literal[80, 95] | None
    scores: int


class PlanChangeIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"plan": "pro", "receipt": "<the store's receipt>"}]}
    )

    plan: Plan
    receipt: str | None = Field(default=None, min_length=1, max_length=4096)


class RedeemReferralIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "K7QX2M9A"}]})

    code: str = Field(min_length=1, max_length=32)


class RedeemReferralOut(BaseModel):
    bonus_mb: int
    total_quota_mb: int
    status: ReferralStatus = Field(
        description="`paid`, or `pending` until the caller's e-mail address is verified (then both "
        "sides are paid)"
    )


class HistoryEntryOut(BaseModel):
    kind: HistoryKind
    amount: int
    meta: dict[str, Any]
    created_at: datetime


class AdminUserOut(BaseModel):
    user_id: uuid.UUID
    plan: Plan
    total_quota_bytes: int
    used_bytes: int
    created_at: datetime
