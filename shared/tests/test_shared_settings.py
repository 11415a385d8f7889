import pytest
from pydantic import ValidationError

from scoremate_shared.settings import ServiceSettings, StorageSettings, UploadTokenSettings


class AllSettings(ServiceSettings, StorageSettings, UploadTokenSettings):
    pass


REAL = {
    "service_name": "files",
    "db_schema": "files",
    "database_url": "postgresql+asyncpg://files:Xq8-long-random@db:5432/scoremate",
    "amqp_url": "amqp://scoremate:Zr4-long-random@mq:5672/",
    "jwks_url": "http://auth:8000/auth/.well-known/jwks.json",
    "s3_endpoint_url": "http://s3:9000",
    "s3_public_endpoint_url": "https://files.example",
    "s3_access_key": "AKIA-real-files-identity",
    "s3_secret_key": "r3al-s3cret-of-the-files-identity",
    "upload_token_secret": "a-real-upload-token-secret-of-48-random-characters",
}


def test_real_secrets_start_in_production():
    assert AllSettings(**REAL).environment == "production"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("database_url", "postgresql+asyncpg://files:files-dev-pw@db:5432/scoremate"),
        ("amqp_url", "amqp://scoremate:scoremate-dev-pw@mq:5672/"),
        ("s3_access_key", "SCOREMATEDEVKEY"),
        ("s3_secret_key", "scoremate-dev-secret-key"),
        ("s3_secret_key", "CHANGE-ME"),
        ("upload_token_secret", "CHANGE-ME-TO-32-OR-MORE-RANDOM-CHARACTERS"),
        ("upload_token_secret", "dev-upload-token-secret-change-me-0123456789"),
    ],
)
def test_a_development_or_placeholder_secret_refuses_to_start_outside_development(name, value):
    with pytest.raises(ValidationError, match=name):
        AllSettings(**(REAL | {name: value}))
    assert AllSettings(**(REAL | {name: value, "environment": "development"})).is_development
