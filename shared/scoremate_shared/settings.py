"""Typed settings every service reads from its environment."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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


class StorageSettings(BaseSettings):
    """S3 access for the services that touch objects (files, library, processor)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    s3_endpoint_url: str = Field(description="Internal endpoint the service talks to")
    s3_public_endpoint_url: str = Field(description="Endpoint clients reach; presigned URLs use it")
    s3_access_key: str
    s3_secret_key: str
    s3_bucket: str = "scores"
    s3_region: str = "us-east-1"
    presigned_url_seconds: int = Field(default=300, le=300, gt=0)


class UploadTokenSettings(BaseSettings):
    """The secret shared by files (which signs upload tokens) and library (which checks them)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    upload_token_secret: str = Field(min_length=32)
