"""Files settings: upload limits, quotas until billing has spoken, reservation timing, sweeping
and reconciliation."""

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
    # A staging object is removed this long after its URL expired (and the upload was stored,
    # rejected or released): room for clock skew between storage and this service.
    staging_sweep_delay_seconds: int = Field(default=60, ge=0)
    # The comparison of bucket and index; 0 runs it only when an admin asks.
    reconcile_interval_seconds: float = Field(default=86400.0, ge=0)
    # Staging objects nobody waits for are deleted once older than this (clock skew between
    # storage and database; a new upload's row is committed before its URL exists).
    reconcile_grace_seconds: int = Field(default=900, ge=0)
    # How many keys of each finding a report names (the counts are always complete).
    reconcile_sample_size: int = Field(default=20, ge=0, le=1000)
    reconcile_page_size: int = Field(default=1000, ge=1, le=1000)
