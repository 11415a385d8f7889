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
    # Deflate level of the archive's members: PDFs are compressed already, so the fastest level
    # gains almost as much as the best one at a fraction of the CPU.
    export_deflate_level: int = Field(default=1, ge=0, le=9)
    # Archives one worker process builds at once (each holds about two parts in memory); further
    # finished exports wait their turn.
    export_concurrent_builds: int = Field(default=2, ge=1)
    # An export whose row has not moved this long (a contributor that never wrote its part, the
    # user deleted before the request was seen, a build that died for good) is failed by the
    # sweeper, so the user is not held at `export-in-progress` forever.
    export_stall_hours: float = Field(default=6.0, gt=0)

    # --- imports ----------------------------------------------------------------------------------
    # The largest archive a client may PUT (one PUT through the gateway).
    import_max_archive_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    # How long the archive's upload URL is valid.
    import_upload_url_seconds: int = Field(default=300, gt=0, le=300)
    # What an archive may hold once inflated; reading stops as soon as one is passed (a zip bomb
    # is never inflated whole). One PDF: files' MAX_UPLOAD_BYTES, what an upload may be.
    import_max_file_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    # library.json, setlists.json, account.json, README.md: each is read into memory to be parsed.
    import_max_metadata_bytes: int = Field(default=32 * 1024 * 1024, gt=0)
    # Every member together (the user's free quota bounds the new PDFs' bytes too).
    import_max_total_bytes: int = Field(default=2 * 1024 * 1024 * 1024, gt=0)
    # Inflated bytes per archive byte read, over the whole archive so far: PDFs barely compress,
    # so far more than this is a bomb.
    import_max_compression_ratio: float = Field(default=100.0, gt=1)
    # Entries of one archive: each PDF costs a commit and an object, so a million tiny ones is an attack.
    import_max_entries: int = Field(default=20_000, gt=0)
    # The archive is read this many bytes at a time; the progress is committed every so many bytes.
    import_read_chunk_bytes: int = Field(default=1024 * 1024, ge=64 * 1024)
    import_progress_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    # An extracted PDF above this goes to storage as a multipart upload of parts this size (S3's
    # minimum part is 5 MiB): about what one import holds in memory.
    import_part_bytes: int = Field(default=8 * 1024 * 1024, ge=5 * 1024 * 1024)
    # An import whose archive was never started this long after its upload URL expired fails (and
    # whatever was PUT is deleted): ImportService.expire_abandoned, a background job.
    import_abandoned_after_seconds: int = Field(default=3600, ge=0)

    # --- monthly report ---------------------------------------------------------------------------
    # How often each worker checks whether last month's report is written to storage yet.
    report_schedule_check_seconds: float = Field(default=3600.0, gt=0)
    # Last month's report is filed this long into the new month: events of its last moments that
    # are still on their way (a retry's delay) are counted first.
    report_write_after_hours: float = Field(default=1.0, ge=0)
    # A failure's reason is free text: the report keeps this many characters of it (at most 500:
    # it is part of a B-tree key, which takes about 2,700 bytes).
    report_reason_max_chars: int = Field(default=200, ge=20, le=500)
