"""Typed settings every service reads from its environment."""

from enum import StrEnum
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


# What the secrets this repository ships look like (the native stack's, compose's, .env.example's
# and the Kubernetes placeholders): fine on a developer's machine, an open door anywhere else.
DEV_SECRET_MARKERS = ("dev-pw", "dev-secret", "devkey", "change-me", "changeme", "placeholder")
# Settings whose values (or, for URLs, whose passwords) are secrets.
_SECRET_NAME_PARTS = ("secret", "password", "access_key", "encryption_key")
_URLS_WITH_CREDENTIALS = ("database_url", "amqp_url")


def looks_like_a_dev_secret(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in DEV_SECRET_MARKERS)


class ServiceSettings(BaseSettings):
    """The settings all five services share; each service subclasses it with its own."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str
    database_url: str = Field(description="postgresql+asyncpg URL of this service's own role")
    db_schema: str = Field(description="The one PostgreSQL schema this service owns")
    db_pool_size: int = 10
    # The asyncpg pool of hot reads (Database.fetch), beside the SQLAlchemy pool of writes.
    db_read_pool_size: int = 10
    # Connections older than this are replaced: bounds how long a dead one can linger unseen.
    db_pool_recycle_seconds: float = 300.0
    amqp_url: str
    jwks_url: str = Field(description="Where the auth service publishes its public keys")
    jwt_issuer: str = "scoremate-auth"
    jwt_audience: str = "scoremate"
    # The outbox relay is woken in-process on commit; the poll covers other processes' rows.
    outbox_poll_seconds: float = 0.5
    outbox_batch_size: int = 100
    consumer_prefetch: int = 16
    # Backoff doubles from the base up to the cap: 10 retries span about 6 minutes by default,
    # longer than the outages a restart of PostgreSQL, RabbitMQ or S3 causes.
    consumer_max_retries: int = 10
    consumer_retry_base_seconds: float = 1.0
    consumer_retry_max_delay_seconds: float = 60.0
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = None
    # How often each worker reads the revoked access tokens (shared/revocations.py), and how long
    # a revocation is kept (longer than any access token lives).
    revocation_poll_seconds: float = Field(default=1.0, gt=0)
    revocation_retention_seconds: int = Field(default=3600, gt=0)
    # How long a stored Idempotency-Key answers a retry (shared/idempotency.py; Stripe's 24 h).
    idempotency_key_ttl_seconds: int = Field(default=86400, gt=0)
    # Production unless said otherwise: development allows the repository's own secrets and the
    # sandbox conveniences (receipts), and must be asked for.
    environment: Environment = Environment.PRODUCTION

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @model_validator(mode="after")
    def _no_development_secrets_outside_development(self) -> Self:
        if self.is_development:
            return self
        found = [name for name, value in self._secrets().items() if looks_like_a_dev_secret(value)]
        if found:
            raise ValueError(
                f"{', '.join(sorted(found))} hold a development or placeholder secret: set real ones "
                "(docs/OPERATIONS.md), or ENVIRONMENT=development on a developer's machine"
            )
        return self

    def _secrets(self) -> dict[str, str]:
        secrets: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if not isinstance(value, str):
                continue
            if name in _URLS_WITH_CREDENTIALS:
                secrets[name] = urlsplit(value).password or ""
            elif any(part in name for part in _SECRET_NAME_PARTS):
                secrets[name] = value
        return secrets


class StorageSettings(BaseSettings):
    """S3 access for the services that touch objects (files, library, processor)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    s3_endpoint_url: str = Field(description="Internal endpoint the service talks to")
    s3_public_endpoint_url: str = Field(description="Endpoint clients reach; presigned URLs use it")
    # This service's own storage identity, with only the rights its policy grants
    # (deploy/storage-policies/, docs/OPERATIONS.md): never the storage admin's, never shared.
    s3_access_key: str
    s3_secret_key: str
    s3_bucket: str = "scores"
    s3_region: str = "us-east-1"
    presigned_url_seconds: int = Field(default=300, le=300, gt=0)


class UploadTokenSettings(BaseSettings):
    """The secret shared by files (which signs upload tokens) and library (which checks them)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    upload_token_secret: str = Field(min_length=32)
