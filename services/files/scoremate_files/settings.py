"""Files settings: upload limits, resumable (multipart) uploads, quotas until billing has spoken,
reservation timing, sweeping and reconciliation."""

from pydantic import Field

from scoremate_shared.settings import ServiceSettings, StorageSettings, UploadTokenSettings

MB = 1024 * 1024
GB = 1024 * MB
# S3's limits: parts of at least 5 MiB (but the last), and one CopyObject copies at most 5 GiB
# (verification copies the staging object to the final key in one call).
MIN_PART_BYTES = 5 * MB
MAX_COPY_BYTES = 5 * GB


class FilesSettings(ServiceSettings, StorageSettings, UploadTokenSettings):
    service_name: str = "files"
    db_schema: str = "files"
    max_upload_bytes: int = Field(default=200 * MB, gt=0, le=MAX_COPY_BYTES)
    allowed_mimes: list[str] = ["application/pdf"]
    # Until billing's first QuotaChanged for a user arrives: the Solo quota.
    default_quota_bytes: int = 500 * MB
    upload_url_seconds: int = Field(default=300, gt=0, le=300)
    # Resumable uploads, opt-in (`"resumable": true`): a file above this size gets an S3 multipart
    # upload with a URL per part instead of one PUT.
    multipart_threshold_bytes: int = Field(default=64 * MB, ge=0)
    # Every part but the last has this size (S3 refuses smaller ones); a part is what a dropped
    # connection costs again.
    multipart_part_bytes: int = Field(default=8 * MB, ge=MIN_PART_BYTES, le=MAX_COPY_BYTES)
    # How long a multipart upload may take, from its creation to POST /scores (the upload token
    # lives this long plus the grace period); its part URLs live `upload_url_seconds` and are
    # signed again by GET /files/uploads/{score_id}. The sweeper aborts it after this.
    multipart_upload_seconds: int = Field(default=86400, gt=0, le=7 * 86400)
    # A client that finished its PUT just before the URL expired may still create the score.
    reservation_grace_seconds: int = 600
    # How long the reservations of an accepted import wait for the library to create their scores
    # (beyond the grace period): long enough for a library that was down a while to catch up.
    import_reservation_seconds: int = Field(default=86400, gt=0)
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
