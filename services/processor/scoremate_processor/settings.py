"""Processor settings: thumbnail sizes, limits of the isolated renderer, retries, refresh limit."""

from pydantic import Field

from scoremate_shared.settings import ServiceSettings, StorageSettings


class ProcessorSettings(ServiceSettings, StorageSettings):
    service_name: str = "processor"
    db_schema: str = "processor"
    cover_width_px: int = Field(default=400, ge=16, le=2000)
    page_thumb_width_px: int = Field(default=200, ge=16, le=2000)
    # A page is never rendered taller than this many times the target width (tall-narrow pages).
    max_thumb_height_factor: float = Field(default=3.0, gt=0)
    max_pages_thumbnailed: int = Field(default=500, ge=1)
    jpeg_quality: int = Field(default=80, ge=10, le=95)
    # A long score reports its page images so far (ThumbnailsProgressed, for devices watching
    # /sync/stream) at most this often; a score rendered faster reports only that it is done.
    thumbnail_progress_seconds: float = Field(default=1.0, gt=0)
    # Isolated rendering: each worker process is killed past the timeout or the memory limit.
    # One worker per core given to the container (rendering is CPU-bound; the service process does
    # the I/O meanwhile); not read from the host, whose cores a container may not have.
    render_workers: int = Field(default=2, ge=1, le=16)
    job_timeout_seconds: float = Field(default=60.0, gt=0)
    render_memory_limit_mb: int = Field(default=1024, ge=128)
    # The rest of each worker's sandbox (sandbox.py): CPU seconds one job may use; the size any file
    # it writes may reach (it writes none); the files it may hold open at once; how many jobs a
    # worker runs before it is replaced (what its CPU budget allows, and how long a worker a hostile
    # file took over could go on); the user it runs as when the service runs as root (a name or
    # uid:gid; ignored otherwise, the service is unprivileged already).
    render_cpu_limit_seconds: int = Field(default=60, ge=1)
    render_file_size_limit_mb: int = Field(default=1, ge=0)
    render_open_files_limit: int = Field(default=64, ge=16)
    render_jobs_per_worker: int = Field(default=200, ge=1)
    render_user: str = "nobody"
    # Transient failures (storage or broker away) are retried through the broker's delay queue,
    # with the consumer backoff settings; the task counts its tries.
    job_max_tries: int = Field(default=10, ge=1)
    layout_service_url: str | None = None
    layout_timeout_seconds: float = 30.0
    # Calls of `POST /tasks/refresh-thumbnails` one user may make in any hour (each re-renders up
    # to MAX_PAGES_THUMBNAILED pages); past it, 429 with Retry-After.
    refresh_thumbnails_per_hour: int = Field(default=20, ge=1)
