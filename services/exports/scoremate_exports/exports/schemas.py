"""Request and response bodies of the export API."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from scoremate_exports.models import ExportStatus


class ExportProgress(BaseModel):
    parts_received: int = Field(description="Parts of the current attempt in (library, profile, billing)")
    parts_expected: int
    scores_total: int | None = Field(description="Scores in the archive; known once the library's part is in")
    scores_packed: int = Field(description="Scores wholly written into the archive so far")


class ExportOut(BaseModel):
    """One export of a library: `collecting` (each service writes its part), `assembling` (the
    archive is built), then `completed` (downloadable until `expires_at`), `expired`, or `failed`."""

    id: uuid.UUID
    status: ExportStatus
    requested_by: uuid.UUID | None = Field(description="The admin of a data-subject request; null: the user")
    as_of: datetime | None = Field(description="The moment the archive's library and setlists are as of")
    progress: ExportProgress
    size_bytes: int | None = Field(description="The archive's size once completed")
    scores: int | None
    setlists: int | None
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime | None = Field(description="When a completed archive is deleted")
    download_url: str | None = Field(
        description="Completed only: a presigned GET of the archive (saved as "
        "scoremate-export-<as_of date>.zip), valid until `download_expires_at`; every GET signs a new one"
    )
    download_expires_at: datetime | None
    error: str | None = Field(description="Why the export failed")


class ExportRequestIn(BaseModel):
    """A data-subject request: the user whose library to export."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"user_id": "7d9f6c2e-1b0a-4c8e-9f3a-2d5e8b1c4a70"}]}
    )

    user_id: uuid.UUID
