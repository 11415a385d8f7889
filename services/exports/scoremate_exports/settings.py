"""Exports settings: how long an archive is kept, the limits an import archive must keep, the
monthly report's schedule, and the memory the process may use."""

from pydantic import Field

from scoremate_shared.settings import ServiceSettings, StorageSettings


class ExportsSettings(ServiceSettings, StorageSettings):
    # Storage for the archives it builds and reads, the originals it packs, the parts the other
    # services write, and the monthly reports (deploy/storage-policies/exports.json).
    service_name: str = "exports"
    db_schema: str = "exports"
    # The process's own memory ceiling (RLIMIT_DATA), 0 for none: an export streams every object
    # through a part-sized buffer, so a library of any size fits in far less than this.
    memory_limit_bytes: int = Field(default=0, ge=0)

    # --- exports ----------------------------------------------------------------------------------
    # A finished archive can be downloaded this long, then it is swept.
    export_retention_hours: int = Field(default=72, ge=1)
    # The size of each part of the archive's multipart upload (S3's minimum is 5 MiB).
    export_part_bytes: int = Field(default=8 * 1024 * 1024, ge=5 * 1024 * 1024)
    # How often each worker looks for archives past their retention.
    export_sweep_interval_seconds: float = Field(default=600.0, gt=0)
    # An export starts again from a new snapshot this many times when an object of its snapshot
    # vanished before the archive was built (the score was deleted meanwhile), then fails.
    export_max_attempts: int = Field(default=3, ge=1)

    # --- imports ----------------------------------------------------------------------------------
    # The largest archive a client may PUT (one PUT through the gateway).
    import_max_archive_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    # How long the archive's upload URL is valid.
    import_upload_url_seconds: int = Field(default=300, gt=0, le=300)

    # --- monthly report ---------------------------------------------------------------------------
    # How often each worker checks whether last month's report is written to storage yet.
    report_schedule_check_seconds: float = Field(default=3600.0, gt=0)
