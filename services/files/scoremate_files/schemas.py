"""Request and response bodies of the files API."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from scoremate_files.models import MultipartState

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]


class UploadUrlIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filename": "bach-bwv1006-prelude.pdf",
                    "size_bytes": 482113,
                    "mime": "application/pdf",
                    "content_hash": "9f2c000000000000000000000000000000000000000000000000000000000000",
                }
            ]
        }
    )

    filename: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(description="Exact size of the file in bytes")
    mime: str = Field(min_length=1, max_length=255)
    content_hash: Sha256Hex = Field(description="Hex SHA-256 of the file")
    resumable: bool = Field(
        default=False,
        description="Above MULTIPART_THRESHOLD_BYTES, answer a multipart upload (a URL per part, "
        "resumable after a dropped connection) instead of one PUT",
    )

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


class UploadPartOut(BaseModel):
    """Where to PUT one part of a multipart upload; the response's `ETag` header names the part."""

    part_number: int = Field(description="1-based")
    url: str = Field(description="Presigned UploadPart URL of this part, valid until `urls_expire_at`")
    size_bytes: int = Field(
        description="Exactly this many bytes of the file, from (part_number - 1) * part_size"
    )
    headers: dict[str, str] = Field(description="Send exactly these (the signed Content-Length)")


class MultipartUploadUrlOut(BaseModel):
    """A resumable upload: PUT each part, then POST /files/uploads/{score_id}/complete."""

    score_id: uuid.UUID
    upload_token: str = Field(description="For POST /scores once the upload is complete")
    method: Literal["MULTIPART"] = "MULTIPART"
    part_size: int = Field(description="Bytes of every part but the last")
    parts: list[UploadPartOut]
    expires_at: datetime = Field(description="Complete the upload and create the score before this")
    urls_expire_at: datetime = Field(
        description="The part URLs' expiry; GET /files/uploads/{score_id} signs new ones"
    )


# What POST /files/upload-url answers: one PUT (the contract's), or a multipart upload (opt-in).
UploadUrlAnswer = Annotated[UploadUrlOut | MultipartUploadUrlOut, Field(discriminator="method")]


class StoredPartOut(BaseModel):
    """A part storage has."""

    part_number: int
    size_bytes: int
    etag: str = Field(description="Without quotes")


class MultipartUploadOut(BaseModel):
    """A multipart upload as storage has it: the parts it holds and URLs for the ones to send."""

    score_id: uuid.UUID
    state: MultipartState = Field(description="`uploading` until completed, then `completed`")
    size_bytes: int
    part_size: int
    part_count: int
    parts: list[StoredPartOut] = Field(
        description="Parts storage has (empty once completed: storage keeps the joined object only)"
    )
    missing: list[UploadPartOut] = Field(
        description="Parts still to send (absent or of the wrong size), with fresh URLs"
    )
    expires_at: datetime = Field(description="Complete the upload and create the score before this")
    urls_expire_at: datetime | None = Field(description="The URLs' expiry in `missing`; null when none")


class CompletedPartIn(BaseModel):
    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200, description="The part PUT's ETag header, quoted or not")


class CompleteUploadIn(BaseModel):
    """The parts as the client sent them; storage's own listing is used for any it leaves out."""

    parts: list[CompletedPartIn] = Field(default_factory=list, max_length=10_000)

    @field_validator("parts")
    @classmethod
    def each_part_once(cls, value: list[CompletedPartIn]) -> list[CompletedPartIn]:
        numbers = [part.part_number for part in value]
        if len(numbers) != len(set(numbers)):
            raise ValueError("each part_number at most once")
        return value


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
