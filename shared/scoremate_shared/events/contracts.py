"""Every integration event of EVENTS.md. Add optional fields freely; anything else is a V2."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scoremate_shared.events.envelope import IntegrationEvent


class UserRegisteredV1(IntegrationEvent):
    """An account was created."""

    user_id: uuid.UUID
    email: str
    referral_code: str = Field(description="The new user's own code to share")
    referred_by_code: str | None = Field(default=None, description="Code used at sign-up")


class UserDeletedV1(IntegrationEvent):
    """An account was deleted: every service erases the user's data."""

    user_id: uuid.UUID


class UserEmailVerifiedV1(IntegrationEvent):
    """The user proved they read the account's e-mail address (a token sent there came back);
    sent once per account. Referral bonuses wait for it."""

    user_id: uuid.UUID


class AccessRevokedV1(IntegrationEvent):
    """Access tokens already issued stop working everywhere within seconds, not at their expiry:
    all of a deleted account's, one signed-out session's (`session_id`), or all a user's tokens
    issued before `not_before` (roles changed, every session signed out)."""

    user_id: uuid.UUID
    session_id: uuid.UUID | None = Field(default=None, description="The `sid` claim; null: every session")
    not_before: datetime = Field(description="Tokens issued before this moment are refused")
    reason: Literal["account_deleted", "signed_out", "roles_changed"]


class ScoreCreatedV1(IntegrationEvent):
    """A score claimed its upload; files verifies the object."""

    score_id: uuid.UUID
    user_id: uuid.UUID


class UploadRejectedV1(IntegrationEvent):
    """The claimed object is missing or is not what was announced."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    reason: str


class ScoreUploadedV1(IntegrationEvent):
    """The object was verified and now counts as stored."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    object_key: str
    size_bytes: int
    mime: str
    content_hash: str


class PdfMetadata(BaseModel):
    """Document information read from the PDF (all optional, cleaned and capped)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str | None = None
    author: str | None = None
    subject: str | None = None
    keywords: str | None = None
    producer: str | None = None
    encrypted: bool = False


class PagesCountedV1(IntegrationEvent):
    """PDF_INFO read the page count and sizes."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    pages: int
    page_sizes: list[tuple[float, float]] = Field(description="[width_pt, height_pt] per page")
    pdf_metadata: PdfMetadata = Field(default_factory=PdfMetadata)


class ThumbnailsGeneratedV1(IntegrationEvent):
    """THUMBNAIL stored the cover and page images."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    cover_key: str
    page_keys: list[str] = Field(default_factory=list)
    bytes_total: int = Field(default=0, description="Bytes of all the images stored")


class ProcessingFailedV1(IntegrationEvent):
    """A processing job failed for good."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    kind: Literal["pdf_info", "thumbnail", "layout_hook"]
    reason: str


class ScoreDeletedV1(IntegrationEvent):
    """A score was deleted; its objects and bytes are to be released."""

    score_id: uuid.UUID
    user_id: uuid.UUID


class StorageReleasedV1(IntegrationEvent):
    """The objects of a score left the bucket."""

    user_id: uuid.UUID
    score_id: uuid.UUID
    bytes: int


class QuotaChangedV1(IntegrationEvent):
    """A user's quota or usage changed."""

    user_id: uuid.UUID
    plan: Literal["solo", "pro"]
    total_bytes: int
    used_bytes: int
    reason: str


class UsageThresholdCrossedV1(IntegrationEvent):
    """Usage rose past 80 % or 95 % of the quota."""

    user_id: uuid.UUID
    threshold: Literal[80, 95]
    used_bytes: int
    total_bytes: int


class AdminActionRecordedV1(IntegrationEvent):
    """An admin did something; the files service keeps it in the access log."""

    actor_id: uuid.UUID
    service: str
    action: str
    target: str = Field(default="", description="What the action was applied to")
    request_id: str | None = None


# --- what a device syncs (issue 14): full snapshots, so a projection needs nothing else -------------


class ScoreSnapshot(BaseModel):
    """A score as GET /scores/{id} shows it, without the presigned `thumbnail_url` (it expires: a
    reader presigns `cover_key` when it answers)."""

    model_config = ConfigDict(frozen=True)

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
    cover_key: str | None
    filled_from_pdf: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class ScoreChangedV1(IntegrationEvent):
    """A score was created or changed in any way a client sees (edit, status, pages, cover).
    `version` grows with every change: a consumer keeps the highest it has seen, so a late or
    repeated delivery never rolls a projection back."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    version: int
    score: ScoreSnapshot


class SetlistItemSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    score_id: uuid.UUID
    order_index: int
    title: str


class SetlistSnapshot(BaseModel):
    """A setlist as GET /setlists/{id} shows it."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    title: str
    description: str | None
    items: list[SetlistItemSnapshot]
    created_at: datetime
    updated_at: datetime


class SetlistChangedV1(IntegrationEvent):
    """A setlist was created or changed (title, description, items, or the title of a score in it);
    `version` as in ScoreChanged."""

    setlist_id: uuid.UUID
    user_id: uuid.UUID
    version: int
    setlist: SetlistSnapshot


class SetlistDeletedV1(IntegrationEvent):
    """A setlist was deleted (by its owner, or with the account)."""

    setlist_id: uuid.UUID
    user_id: uuid.UUID
    version: int = Field(description="The version the setlist had when it went")


class ThumbnailsProgressedV1(IntegrationEvent):
    """THUMBNAIL is part way through a long score (at most about one a second per score; short
    scores finish first and send only ThumbnailsGenerated)."""

    score_id: uuid.UUID
    user_id: uuid.UUID
    pages_done: int
    pages_total: int


# --- whole-library archives (issue 15): export, import ----------------------------------------------

# The parts of an export and the service that writes each: the library (library.json and
# setlists.json), auth (the profile), billing (plan, usage, history, referrals).
ExportPartName = Literal["library", "profile", "billing"]


class ExportRequestedV1(IntegrationEvent):
    """An export of a user's whole library was asked for (by the user, or an admin for a
    data-subject request): each contributing service writes its part under `parts_prefix` and
    announces it with ExportPartWritten. `attempt` grows when the export starts again (an object of
    the library's snapshot vanished before the archive was built): parts of an older attempt are stale."""

    export_id: uuid.UUID
    user_id: uuid.UUID
    attempt: int = Field(ge=1)
    parts_prefix: str = Field(description="Storage key prefix the parts go under, ending in '/'")
    requested_by: uuid.UUID | None = Field(default=None, description="The admin of a data-subject request")


class ExportPartWrittenV1(IntegrationEvent):
    """One service's part of an export is in storage (the objects `keys`)."""

    export_id: uuid.UUID
    user_id: uuid.UUID
    attempt: int
    part: ExportPartName
    keys: list[str]


class ExportFinishedV1(IntegrationEvent):
    """An export's archive was built (or the export failed for good)."""

    export_id: uuid.UUID
    user_id: uuid.UUID
    status: Literal["completed", "failed"]
    size_bytes: int = 0
    scores: int = 0
    requested_by: uuid.UUID | None = None
    reason: str | None = None


class ImportedScore(BaseModel):
    """A score of an import archive, checked (its PDF's size and SHA-256 are what was extracted to
    `source_key`, an object only the exports service writes) and given its new id."""

    model_config = ConfigDict(frozen=True)

    score_id: uuid.UUID
    source_key: str
    filename: str
    size_bytes: int
    mime: str = "application/pdf"
    content_hash: str
    title: str
    composer: str | None = None
    instrumentation: str | None = None
    tags: list[str] = Field(default_factory=list)
    note: str | None = None


class ImportedSetlist(BaseModel):
    """A setlist of an import archive, its items (in order, repeats kept) by final score id: a new
    score's, or the existing score a duplicate was skipped for."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str | None = None
    score_ids: list[uuid.UUID]


class ImportArchiveUploadedV1(IntegrationEvent):
    """The client PUT an import's archive (the exports service tells itself, through its outbox, so
    a restart never loses the work): the archive is read and checked."""

    import_id: uuid.UUID
    user_id: uuid.UUID


class ImportAcceptedV1(IntegrationEvent):
    """An import archive passed every check: files reserves the new scores' bytes (or refuses the
    whole import with ImportRefused when they do not fit the quota)."""

    import_id: uuid.UUID
    user_id: uuid.UUID
    scores: list[ImportedScore]
    setlists: list[ImportedSetlist]


class ImportFilesReservedV1(IntegrationEvent):
    """files reserved the bytes of `scores` (those it would not take, say a duplicate uploaded
    meanwhile, are left out): the library creates them and the setlists, and each ScoreCreated then
    takes the usual path (files copies `source_key` to the score's key and verifies it)."""

    import_id: uuid.UUID
    user_id: uuid.UUID
    scores: list[ImportedScore]
    setlists: list[ImportedSetlist]


class ImportRefusedV1(IntegrationEvent):
    """files refused an accepted import (its scores do not fit the quota any more): nothing of it
    was created; the exports service deletes what it extracted."""

    import_id: uuid.UUID
    user_id: uuid.UUID
    reason: str


class LibraryImportedV1(IntegrationEvent):
    """The library created an import's scores and setlists."""

    import_id: uuid.UUID
    user_id: uuid.UUID
    score_ids: list[uuid.UUID]
    setlists_created: int
    setlists_skipped: int = Field(default=0, description="Equal to a setlist the user already has")


ALL_EVENTS: tuple[type[IntegrationEvent], ...] = (
    UserRegisteredV1,
    UserDeletedV1,
    UserEmailVerifiedV1,
    AccessRevokedV1,
    ScoreCreatedV1,
    UploadRejectedV1,
    ScoreUploadedV1,
    PagesCountedV1,
    ThumbnailsGeneratedV1,
    ProcessingFailedV1,
    ScoreDeletedV1,
    StorageReleasedV1,
    QuotaChangedV1,
    UsageThresholdCrossedV1,
    AdminActionRecordedV1,
    ScoreChangedV1,
    SetlistChangedV1,
    SetlistDeletedV1,
    ThumbnailsProgressedV1,
    ExportRequestedV1,
    ExportPartWrittenV1,
    ExportFinishedV1,
    ImportArchiveUploadedV1,
    ImportAcceptedV1,
    ImportFilesReservedV1,
    ImportRefusedV1,
    LibraryImportedV1,
)
