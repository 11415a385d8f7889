"""Billing settings: plans and their quotas, referrals, receipts, notifications."""

from typing import Literal

from pydantic import Field

from scoremate_shared.settings import ServiceSettings

MB = 1024 * 1024


class BillingSettings(ServiceSettings):
    service_name: str = "billing"
    db_schema: str = "billing"
    solo_quota_mb: int = Field(default=500, ge=1)
    pro_quota_mb: int = Field(default=20 * 1024, ge=1)
    referral_bonus_mb: int = Field(default=50, ge=0)
    pro_price_cents: int = Field(default=499, ge=0)
    # Which receipt verifier decides plan purchases; the store adapters come later.
    receipt_verifier: Literal["sandbox"] = "sandbox"
    # Usage notifications: a webhook (body signed with HMAC-SHA256) and e-mail where SMTP is set.
    notify_webhook_url: str | None = None
    notify_webhook_secret: str = "change-me-webhook-secret"
    notify_timeout_seconds: float = 5.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "ScoreMate <no-reply@scoremate.app>"
