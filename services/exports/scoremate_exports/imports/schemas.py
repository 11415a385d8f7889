"""Request and response bodies of the imports API."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ImportState = Literal["awaiting_upload", "validating", "importing", "completed", "refused", "failed"]


class ImportIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"size_bytes": 48213377}]})

    size_bytes: int = Field(gt=0, description="Exact size of the archive (a ScoreMate export's ZIP) in bytes")


class ArchiveUploadOut(BaseModel):
    """PUT the archive here: exactly these headers, exactly `size_bytes` bytes, before `expires_at`;
    then POST /imports/{id}/start."""

    url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expires_at: datetime


class ImportProgressOut(BaseModel):
    bytes_read: int = Field(description="Bytes of the archive read and checked so far")
    bytes_total: int = Field(description="The archive's size")
    scores_total: int = Field(description="Scores handed on to be created (duplicates are not)")
    scores_stored: int = Field(description="Of those, stored and being processed")
    scores_failed: int = Field(description="Of those, refused by the upload's verification")


class DuplicateSkippedOut(BaseModel):
    title: str = Field(description="The archive's title of the skipped score")
    content_hash: str
    existing_score_id: uuid.UUID = Field(
        description="The score that has this content: the caller's, or one this import creates"
    )


class ImportReportOut(BaseModel):
    """What the import did, once the archive was checked."""

    scores_imported: int = Field(description="Scores handed on to be created")
    duplicates_skipped: list[DuplicateSkippedOut]
    setlists: int = Field(description="Setlists in the archive")
    scores_without_file: int = Field(
        default=0, description="Scores the archive lists without a PDF (never uploaded): not imported"
    )
    scores_skipped: int = Field(
        default=0, description="Scores left out after the check (the same file was uploaded meanwhile)"
    )
    setlists_created: int | None = Field(default=None, description="Once the library created them")
    setlists_skipped: int | None = Field(
        default=None, description="Setlists equal to one the caller already has"
    )


class ImportProblemOut(BaseModel):
    """Why the archive was refused (or the import failed), as a problem document would say it."""

    type: str = Field(description="`https://scoremate.app/problems/<slug>`, such as `archive-unsafe-path`")
    title: str
    detail: str


class ImportOut(BaseModel):
    id: uuid.UUID
    status: ImportState
    created_at: datetime
    finished_at: datetime | None
    upload: ArchiveUploadOut | None = Field(
        description="While the archive awaits its upload (and the URL is valid); null afterwards"
    )
    progress: ImportProgressOut
    report: ImportReportOut | None
    problem: ImportProblemOut | None
