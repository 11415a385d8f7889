"""Request and response bodies of the library API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


def normalise_tags(tags: list[str]) -> list[str]:
    """Trimmed, de-duplicated case-insensitively, first spelling kept for display."""
    seen: set[str] = set()
    result: list[str] = []
    for tag in tags:
        cleaned = " ".join(tag.split())
        key = cleaned.casefold()
        if cleaned and key not in seen:
            seen.add(key)
            result.append(cleaned)
    return result


class ScoreCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "upload_token": "<upload_token of POST /files/upload-url>",
                    "title": "Partita No. 3",
                    "composer": "J. S. Bach",
                    "instrumentation": "violin",
                    "tags": ["baroque", "solo"],
                    "note": "Bowings from the 1720 autograph",
                }
            ]
        }
    )

    upload_token: str = Field(min_length=1, max_length=4096)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    composer: OptionalText | None = None
    instrumentation: OptionalText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    note: Annotated[str, StringConstraints(max_length=5000)] | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return normalise_tags(value)


class ScoreOut(BaseModel):
    id: uuid.UUID
    title: str
    composer: str | None
    instrumentation: str | None
    tags: list[str]
    note: str | None
    status: Literal["processing", "ready", "failed"]
    error: str | None
    pages: int | None
    page_sizes: list[list[float]] | None
    size_bytes: int
    mime: str
    content_hash: str
    thumbnail_url: str | None
    filled_from_pdf: list[str]
    version: int = Field(
        description="Grows with every change a client can see; the ETag is this number in quotes"
    )
    created_at: datetime
    updated_at: datetime


def page_sizes_out(value: Any) -> list[list[float]] | None:
    return [[float(w), float(h)] for w, h in value] if value is not None else None


class ScorePatch(BaseModel):
    """Only the fields sent change; null clears an optional field."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"tags": ["baroque", "recital"], "note": None}]}
    )

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = (
        None
    )
    composer: OptionalText | None = None
    instrumentation: OptionalText | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    note: Annotated[str, StringConstraints(max_length=5000)] | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return normalise_tags(value) if value is not None else None

    @field_validator("title")
    @classmethod
    def _title_not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("title cannot be cleared")
        return value
