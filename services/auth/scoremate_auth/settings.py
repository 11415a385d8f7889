"""Auth settings: token lifetimes, password hashing cost, login throttling, e-mail verification."""

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from scoremate_shared.settings import ServiceSettings, StorageSettings


class EmailDeliveryKind(StrEnum):
    # Sends through the operator's mail server (SMTP_HOST...).
    SMTP = "smtp"
    # Appends each message to LOG_DIR/mail.jsonl for developers and tests: development only.
    FILE = "file"


class AuthSettings(ServiceSettings, StorageSettings):
    # Storage: its own identity writes its part of an export and nothing else (auth.json policy).
    service_name: str = "auth"
    db_schema: str = "auth"

    access_token_ttl_seconds: int = Field(default=900, gt=0)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    # How long an instance trusts its cached signing key before re-reading the table, so a
    # key rotated by another process (the CLI) is picked up everywhere within this delay.
    signing_key_refresh_seconds: float = Field(default=30.0, gt=0)
    jwks_max_age_seconds: int = Field(default=300, ge=0)
    # Seals the private signing keys in their table (KeyCipher): long random text, kept apart
    # from database backups. Changing it makes the stored keys unreadable: rotate, don't change.
    signing_key_encryption_key: str = Field(min_length=32)

    # argon2id cost (RFC 9106 "low memory" profile by default); changing it rehashes on login.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=64 * 1024, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Each hash holds argon2_memory_kib of RAM: cap how many run at once.
    argon2_max_concurrency: int = Field(default=4, ge=1)

    # Failed logins per e-mail and client address within the window before that pair is locked;
    # the lock doubles with every further failure up to the cap.
    login_max_failures: int = Field(default=5, ge=1)
    # Before the lock, a soft step: from this many failures on, each attempt waits first.
    login_slow_after_failures: int = Field(default=3, ge=1)
    login_slow_seconds: float = Field(default=1.0, ge=0)
    login_failure_window_seconds: int = Field(default=900, gt=0)
    login_lock_base_seconds: int = Field(default=30, gt=0)
    login_lock_max_seconds: int = Field(default=900, gt=0)

    referral_code_length: int = Field(default=8, ge=6, le=32)

    # E-mail address verification (referral bonuses wait for it): how it is delivered
    # (docs/OPERATIONS.md). `file` is the default and is refused outside development, so a
    # production deployment must choose SMTP.
    email_delivery: EmailDeliveryKind = EmailDeliveryKind.FILE
    # Where development-only files go: EMAIL_DELIVERY=file appends to LOG_DIR/mail.jsonl (the
    # native stack sets it to .run/logs).
    log_dir: Path = Path(".")
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "ScoreMate <no-reply@scoremate.app>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # The link in the e-mail; `{token}` is replaced by the token the client posts to
    # POST /auth/verify-email.
    email_verification_link: str = "https://scoremate.app/verify-email?token={token}"
    email_verification_ttl_seconds: int = Field(default=48 * 3600, gt=0)
    # A new verification e-mail at most this often per account (one mailbox is not spammed).
    email_verification_resend_seconds: int = Field(default=60, ge=0)

    @model_validator(mode="after")
    def _email_delivery_production_needs(self) -> Self:
        if self.email_delivery is EmailDeliveryKind.FILE and not self.is_development:
            raise ValueError(
                "EMAIL_DELIVERY=file only writes e-mails to a local file: it is for "
                "ENVIRONMENT=development; set EMAIL_DELIVERY=smtp with SMTP_HOST (verification "
                "e-mails, which referral bonuses wait for)"
            )
        if self.email_delivery is EmailDeliveryKind.SMTP and not self.smtp_host:
            raise ValueError("EMAIL_DELIVERY=smtp needs SMTP_HOST")
        if "{token}" not in self.email_verification_link:
            raise ValueError("EMAIL_VERIFICATION_LINK must contain {token}")
        return self
