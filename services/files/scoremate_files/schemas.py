"""Request and response bodies of the files API."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]


class UploadUrlIn(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(description="Exact size of the file in bytes")
    mime: str = Field(min_length=1, max_length=255)
    content_hash: Sha256Hex = Field(description="Hex SHA-256 of the file")

    @field_validator("filename")
    @classmethod
    def filename_is_printable(cls, value: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError("filename must not contain control characters")
        return value

    @field_validator("mime")
    @classmethod
    def mime_is_normalised(cls, value: str) -> str:
        # "application/PDF; charset=binary" is the same type as "application/pdf".
        return value.split(";", 1)[0].strip().lower()


class UploadUrlOut(BaseModel):
    score_id: uuid.UUID
    upload_token: str
    url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expires_at: datetime


class DownloadUrlOut(BaseModel):
    url: str
    expires_at: datetime


class KeysFound(BaseModel):
    count: int = Field(description="How many keys were found")
    sample: list[str] = Field(description="The first keys found, at most RECONCILE_SAMPLE_SIZE")


class ReconciliationReport(BaseModel):
    prefix: str = Field(description="The part of the bucket compared; empty for all of it")
    started_at: datetime
    finished_at: datetime
    objects_listed: int
    strays: KeysFound = Field(description="Objects in the bucket with no index row")
    missing: KeysFound = Field(description="Index rows whose object is not in the bucket")
    strays_deleted: KeysFound = Field(
        description="Strays under staging/ older than the grace period, deleted by this run"
    )


class AdminObjectOut(BaseModel):
    key: str
    user_id: uuid.UUID
    score_id: uuid.UUID
    kind: str
    page: int | None
    size_bytes: int
    created_at: datetime


class AccessLogOut(BaseModel):
    id: int
    user_id: uuid.UUID
    action: str
    score_id: uuid.UUID | None
    object_key: str | None
    request_id: str | None
    at: datetime


@dataclass(frozen=True)
class AccessLogFilter:
    """Which entries of the access log an admin asks for (every condition given must hold)."""

    user_id: uuid.UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
