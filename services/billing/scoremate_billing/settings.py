"""Billing settings: plans and their quotas."""

from scoremate_shared.settings import ServiceSettings

MB = 1024 * 1024


class BillingSettings(ServiceSettings):
    service_name: str = "billing"
    db_schema: str = "billing"
    solo_quota_mb: int = 500
    pro_quota_mb: int = 20 * 1024
    referral_bonus_mb: int = 50
