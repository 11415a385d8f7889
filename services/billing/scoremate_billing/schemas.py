"""Request and response bodies of the billing API."""

from typing import Literal

from pydantic import BaseModel


class PlanOut(BaseModel):
    plan: Literal["solo", "pro"]
    base_quota_mb: int
    bonus_mb: int
    total_quota_mb: int


class UsageOut(BaseModel):
    used_bytes: int
    total_bytes: int
    percent: float
    warning: Literal[80, 95] | None
    scores: int
