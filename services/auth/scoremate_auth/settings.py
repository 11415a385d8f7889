"""Auth settings: token lifetimes, password hashing cost and login throttling."""

from pydantic import Field

from scoremate_shared.settings import ServiceSettings


class AuthSettings(ServiceSettings):
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
