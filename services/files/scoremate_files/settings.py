"""Files settings: upload limits, quotas until billing has spoken, reservation timing."""

from pydantic import Field

from scoremate_shared.settings import ServiceSettings, StorageSettings, UploadTokenSettings

MB = 1024 * 1024


class FilesSettings(ServiceSettings, StorageSettings, UploadTokenSettings):
    service_name: str = "files"
    db_schema: str = "files"
    max_upload_bytes: int = 200 * MB
    allowed_mimes: list[str] = ["application/pdf"]
    # Until billing's first QuotaChanged for a user arrives: the Solo quota.
    default_quota_bytes: int = 500 * MB
    upload_url_seconds: int = Field(default=300, gt=0, le=300)
    # A client that finished its PUT just before the URL expired may still create the score.
    reservation_grace_seconds: int = 600
    sweep_interval_seconds: float = 60.0
    verify_chunk_bytes: int = 1 * MB
