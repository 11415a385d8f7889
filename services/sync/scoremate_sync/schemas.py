"""Response bodies of the sync API (the routes answer plain data; these document it)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class SyncedScore(BaseModel):
    """The contract's Score, `thumbnail_url` signed when the page is answered."""

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
    version: int = Field(description="Its ETag; send it as If-Match")
    created_at: datetime
    updated_at: datetime


class SyncedSetlistItem(BaseModel):
    score_id: uuid.UUID
    order_index: int
    title: str


class SyncedSetlist(BaseModel):
    """The contract's Setlist."""

    id: uuid.UUID
    title: str
    description: str | None
    items: list[SyncedSetlistItem]
    version: int = Field(description="Its ETag; send it as If-Match")
    created_at: datetime
    updated_at: datetime


class SyncedThumbnails(BaseModel):
    """A score's page images: `pages_done` of `pages_total` rendered; `done` once all are stored
    (GET /files/download-url?score_id=&page= fetches one)."""

    score_id: uuid.UUID
    pages_done: int
    pages_total: int
    done: bool


class _Change(BaseModel):
    id: uuid.UUID = Field(description="The entity's id (for thumbnails: the score's)")
    op: Literal["upsert", "delete"]
    version: int = Field(description="Grows with every change of the entity; a delete's is the highest")


class ScoreChange(_Change):
    kind: Literal["score"]
    data: SyncedScore | None = Field(description="The score; null for a delete")


class SetlistChange(_Change):
    kind: Literal["setlist"]
    data: SyncedSetlist | None = Field(description="The setlist; null for a delete")


class ThumbnailsChange(_Change):
    kind: Literal["thumbnails"]
    data: SyncedThumbnails | None = Field(description="The progress; null for a delete")


Change = Annotated[ScoreChange | SetlistChange | ThumbnailsChange, Field(discriminator="kind")]


class SyncPage(BaseModel):
    changes: list[Change] = Field(description="In commit order; a device applies them in turn")
    next_cursor: str = Field(description="Opaque: send it as `cursor` next time (or as Last-Event-ID)")
    has_more: bool = Field(description="More changes wait: ask again at once with `next_cursor`")


class StreamReset(BaseModel):
    """The data of an `event: reset` on the live stream: the cursor it resumed from was too old."""

    type: str
    title: str
    detail: str
