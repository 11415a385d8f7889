"""Billing settings: plans and their quotas, referrals, receipts, notifications."""

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from scoremate_shared.settings import ServiceSettings, StorageSettings

MB = 1024 * 1024


class ReceiptVerifierKind(StrEnum):
    # Accepts made-up `sandbox:<plan>:<id>` receipts: development only, refused elsewhere.
    SANDBOX = "sandbox"
    # Asks the operator's receipt-validation service (in front of the stores) over HTTPS.
    HTTP = "http"


class BillingSettings(ServiceSettings, StorageSettings):
    # Storage: its own identity writes its part of an export and nothing else (billing.json policy).
    service_name: str = "billing"
    db_schema: str = "billing"
    solo_quota_mb: int = Field(default=500, ge=1)
    pro_quota_mb: int = Field(default=20 * 1024, ge=1)
    referral_bonus_mb: int = Field(default=50, ge=0)
    # Keys the HMAC of each redeemer's mailbox, kept after deletion so a mailbox redeems once ever
    # (docs/OPERATIONS.md). Long random text; changing it forgets every mailbox that redeemed.
    referral_email_hash_secret: str = Field(
        default="dev-secret-referral-email-hash-0123456789", min_length=32
    )
    # A redeemer deleting their account within this many days of the payout takes the
    # referrer's bonus back.
    referral_clawback_days: int = Field(default=30, ge=0)
    # A referrer is paid for this many referrals at most (the newcomers are paid regardless).
    referral_max_paid_per_referrer: int = Field(default=10, ge=0)
    pro_price_cents: int = Field(default=499, ge=0)
    # Which receipt verifier decides plan purchases (docs/OPERATIONS.md).
    receipt_verifier: ReceiptVerifierKind = ReceiptVerifierKind.SANDBOX
    receipt_verifier_url: str | None = None
    receipt_verifier_secret: str | None = None
    receipt_verifier_timeout_seconds: float = 10.0
    # Usage notifications: a webhook (body signed with HMAC-SHA256) and e-mail where SMTP is set.
    notify_webhook_url: str | None = None
    notify_webhook_secret: str | None = None
    notify_timeout_seconds: float = 5.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "ScoreMate <no-reply@scoremate.app>"
    # An export requested for an account billing has not opened yet waits this long for its
    # UserRegistered (then the account counts as deleted and its part is not written).
    export_account_wait_seconds: int = Field(default=300, ge=0)

    @model_validator(mode="after")
    def _what_production_needs(self) -> Self:
        if self.receipt_verifier is ReceiptVerifierKind.SANDBOX and not self.is_development:
            raise ValueError(
                "RECEIPT_VERIFIER=sandbox gives plans away: it is for ENVIRONMENT=development only; "
                "set RECEIPT_VERIFIER=http with RECEIPT_VERIFIER_URL and RECEIPT_VERIFIER_SECRET"
            )
        if self.receipt_verifier is ReceiptVerifierKind.HTTP and not (
            self.receipt_verifier_url and self.receipt_verifier_secret
        ):
            raise ValueError("RECEIPT_VERIFIER=http needs RECEIPT_VERIFIER_URL and RECEIPT_VERIFIER_SECRET")
        if self.notify_webhook_url and not self.notify_webhook_secret:
            raise ValueError("NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET to sign what it sends")
        return self
