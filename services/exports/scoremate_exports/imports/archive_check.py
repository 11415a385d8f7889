"""The check of an import archive, streaming: the ZIP is read once, front to back, by stream-unzip
(never whole in memory or on disk, never parsed here); each entry's name, size and kind are checked
as it arrives and reading stops at the first limit passed, so a zip bomb is never inflated. Each PDF
is hashed on its way to storage (through an `ExtractionTarget`); `library.json` and `setlists.json`
are checked against what was extracted. Pure: it reads chunks and writes through the target, so
the middle tier feeds it archives made in memory."""

import hashlib
import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Protocol

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from stream_inflate import StreamInflateError
from stream_unzip import (
    NO_ENCRYPTION,
    IntegrityError,
    MissingPasswordError,
    NotStreamUnzippable,
    PasswordError,
    TruncatedDataError,
    UnexpectedSignatureError,
    UnsupportedFeatureError,
    UnzipError,
    async_stream_unzip,
)

from scoremate_exports.settings import ExportsSettings
from scoremate_shared.errors import PROBLEM_BASE
from scoremate_shared.events import ImportedScore, ImportedSetlist

FORMAT_VERSION = 1
LIBRARY_FILE = "library.json"
SETLISTS_FILE = "setlists.json"
# Read and ignored: the account's profile and billing are not imported.
IGNORED_FILES = frozenset({"README.md", "account.json"})
SCORES_DIR = "scores/"
PDF_MIME = "application/pdf"
# As files' verification: PDF readers look for the header anywhere in the first 1,024 bytes.
PDF_MAGIC = b"%PDF-"
HEADER_WINDOW = 1024
# files keeps an upload's filename to this many characters.
MAX_FILENAME_CHARS = 255
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArchiveProblem(StrEnum):
    """Why an archive is refused: the slug of its problem type."""

    INVALID = "archive-invalid"
    UNSAFE_PATH = "archive-unsafe-path"
    TOO_LARGE = "archive-too-large"
    NOT_PDF = "archive-not-pdf"
    INCONSISTENT = "archive-inconsistent"
    QUOTA_EXCEEDED = "quota-exceeded"


PROBLEM_TITLES = {
    ArchiveProblem.INVALID: "Not a readable ZIP archive",
    ArchiveProblem.UNSAFE_PATH: "Unsafe entry in the archive",
    ArchiveProblem.TOO_LARGE: "Archive too large",
    ArchiveProblem.NOT_PDF: "A score in the archive is not a PDF",
    ArchiveProblem.INCONSISTENT: "The archive's library.json does not match its files",
    ArchiveProblem.QUOTA_EXCEEDED: "Storage quota exceeded",
}


class ArchiveRefused(Exception):
    """The archive is refused: nothing of it may be kept."""

    def __init__(self, problem: ArchiveProblem, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail

    def to_problem(self) -> dict[str, str]:
        """What the import keeps and shows: a problem document's type, title and detail."""
        return {
            "type": PROBLEM_BASE + self.problem,
            "title": PROBLEM_TITLES[self.problem],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ArchiveLimits:
    max_file_bytes: int
    max_metadata_bytes: int
    max_total_bytes: int
    max_compression_ratio: float
    max_entries: int
    # What the user's quota has left for the new PDFs' bytes; None: not known here (files checks).
    free_bytes: int | None
    chunk_bytes: int
    progress_bytes: int

    @classmethod
    def from_settings(cls, settings: ExportsSettings, free_bytes: int | None) -> "ArchiveLimits":
        return cls(
            max_file_bytes=settings.import_max_file_bytes,
            max_metadata_bytes=settings.import_max_metadata_bytes,
            max_total_bytes=settings.import_max_total_bytes,
            max_compression_ratio=settings.import_max_compression_ratio,
            max_entries=settings.import_max_entries,
            free_bytes=free_bytes,
            chunk_bytes=settings.import_read_chunk_bytes,
            progress_bytes=settings.import_progress_bytes,
        )


class ExtractedWriter(Protocol):
    """One extracted PDF on its way to storage."""

    async def write(self, chunk: bytes) -> None: ...

    async def finish(self) -> None: ...

    async def discard(self) -> None:
        """Drop the object, finished or not (a refusal, or a duplicate once hashed)."""


class ExtractionTarget(Protocol):
    """Where the check puts the PDFs (storage in the service) and tells its progress."""

    def key(self, number: int) -> str: ...

    async def open(self, number: int) -> ExtractedWriter: ...

    async def progress(self, bytes_read: int) -> None: ...


# --- library.json and setlists.json -----------------------------------------------------------


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


NoNul = AfterValidator(_no_nul)
# The library's own limits (its ScoreCreate and SetlistCreate): a score it would refuse is refused here.
ScoreTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), NoNul]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), NoNul]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), NoNul]
Note = Annotated[str, StringConstraints(max_length=5000), NoNul]
SetlistTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Description = Annotated[str, StringConstraints(max_length=2000), NoNul]


class ArchiveScore(BaseModel):
    """A score of library.json: what an import reads of it (the rest describes the old library)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: uuid.UUID
    title: ScoreTitle
    composer: OptionalText | None = None
    instrumentation: OptionalText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    note: Note | None = None
    size_bytes: int | None = None
    content_hash: str | None = None
    # "scores/<name>.pdf", or null: the score's upload was never verified (nothing to import).
    file: Annotated[str, NoNul] | None = None


class LibraryDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    scores: list[ArchiveScore]


class ArchiveSetlistItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    score_id: uuid.UUID
    position: int


class ArchiveSetlist(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: SetlistTitle
    description: Description | None = None
    items: list[ArchiveSetlistItem] = Field(default_factory=list, max_length=1000)


class SetlistsDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    setlists: list[ArchiveSetlist]


def _inconsistent(detail: str) -> ArchiveRefused:
    return ArchiveRefused(ArchiveProblem.INCONSISTENT, detail)


def _document(name: str, raw: bytes) -> dict[str, Any]:
    """A JSON document of the archive, of format_version 1."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _inconsistent(f"{name} is not valid JSON") from None
    if not isinstance(document, dict):
        raise _inconsistent(f"{name} is not a JSON object")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise _inconsistent(f"{name} has format_version {version!r}; this server reads {FORMAT_VERSION}")
    return document


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


@dataclass(frozen=True)
class ArchiveLibrary:
    """library.json: its scores in order, and those with a file by the file's name."""

    scores: list[ArchiveScore]
    by_file: dict[str, ArchiveScore]


def parse_library(raw: bytes) -> ArchiveLibrary:
    """library.json, refused when it is not a valid document of format_version 1."""
    try:
        library = LibraryDocument.model_validate(_document(LIBRARY_FILE, raw))
    except ValidationError as exc:
        raise _inconsistent(f"{LIBRARY_FILE} is not valid: {_first_error(exc)}") from None
    by_file: dict[str, ArchiveScore] = {}
    ids: set[uuid.UUID] = set()
    for score in library.scores:
        if score.id in ids:
            raise _inconsistent(f"{LIBRARY_FILE} lists the score {score.id} twice")
        ids.add(score.id)
        if score.file is None:
            continue
        if score.file in by_file:
            raise _inconsistent(f"{LIBRARY_FILE} gives {score.file!r} to two scores")
        if score.content_hash is None or not _SHA256_HEX.match(score.content_hash):
            raise _inconsistent(f"{LIBRARY_FILE}: the content_hash of {score.file!r} is not a SHA-256")
        if score.size_bytes is None or score.size_bytes < 1:
            raise _inconsistent(
                f"{LIBRARY_FILE}: the size_bytes of {score.file!r} is missing or not positive"
            )
        by_file[score.file] = score
    return ArchiveLibrary(scores=library.scores, by_file=by_file)


def parse_setlists(raw: bytes) -> list[ArchiveSetlist]:
    try:
        return SetlistsDocument.model_validate(_document(SETLISTS_FILE, raw)).setlists
    except ValidationError as exc:
        raise _inconsistent(f"{SETLISTS_FILE} is not valid: {_first_error(exc)}") from None


# --- entries ----------------------------------------------------------------------------------


class EntryKind(StrEnum):
    LIBRARY = "library"
    SETLISTS = "setlists"
    IGNORED = "ignored"
    DIRECTORY = "directory"
    PDF = "pdf"


def _unsafe(detail: str) -> ArchiveRefused:
    return ArchiveRefused(ArchiveProblem.UNSAFE_PATH, detail)


def classify_entry(raw_name: bytes) -> tuple[EntryKind, str]:
    """The entry's kind and name; refused when the name could climb out of a folder or is not one
    of the archive's own (README.md, library.json, setlists.json, account.json, scores/<name>.pdf)."""
    try:
        name = raw_name.decode("utf-8")
    except UnicodeDecodeError:
        raise _unsafe(f"the entry name {raw_name[:200]!r} is not UTF-8") from None
    shown = repr(name[:200])
    if "\\" in name:
        raise _unsafe(f"the entry name {shown} holds a backslash")
    if name.startswith("/") or _DRIVE.match(name):
        raise _unsafe(f"the entry name {shown} is absolute")
    if ".." in name.split("/"):
        raise _unsafe(f"the entry name {shown} climbs out of its folder (..)")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise _unsafe(f"the entry name {shown} holds control characters")
    if name == LIBRARY_FILE:
        return EntryKind.LIBRARY, name
    if name == SETLISTS_FILE:
        return EntryKind.SETLISTS, name
    if name in IGNORED_FILES:
        return EntryKind.IGNORED, name
    if name == SCORES_DIR:
        return EntryKind.DIRECTORY, name
    if name.startswith(SCORES_DIR):
        filename = name.removeprefix(SCORES_DIR)
        if (
            "/" not in filename
            and not filename.startswith(".")
            and filename.lower().endswith(".pdf")
            and len(filename) <= MAX_FILENAME_CHARS
        ):
            return EntryKind.PDF, name
    raise _unsafe(
        f"the entry {shown} is not one of an archive's files "
        "(README.md, library.json, setlists.json, account.json, scores/<name>.pdf)"
    )


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedDuplicate:
    """A PDF of the archive the user has already (or the archive has twice): not imported."""

    title: str
    content_hash: str
    existing_score_id: uuid.UUID


@dataclass(frozen=True)
class CheckedArchive:
    scores: list[ImportedScore]
    setlists: list[ImportedSetlist]
    duplicates: list[SkippedDuplicate]
    # Scores library.json lists without a file (never uploaded where they came from): not imported.
    scores_without_file: int
    bytes_read: int
    new_bytes: int


@dataclass
class _Extracted:
    name: str
    number: int
    size_bytes: int
    content_hash: str
    # Kept in storage (the first copy of its content the user does not have yet).
    kept: bool


@dataclass
class _Reading:
    """What the check knows while it reads."""

    limits: ArchiveLimits
    existing: Mapping[str, uuid.UUID]
    target: ExtractionTarget
    bytes_read: int = 0
    inflated: int = 0
    entries: int = 0
    # Bytes of PDFs the user does not have yet: they count against the free quota.
    new_bytes: int = 0
    next_progress: int = 0
    names: set[str] = field(default_factory=set)
    library: ArchiveLibrary | None = None
    setlists: list[ArchiveSetlist] | None = None
    extracted: dict[str, _Extracted] = field(default_factory=dict)
    # The first PDF of each content in the archive (later copies are duplicates of it).
    kept_by_hash: dict[str, str] = field(default_factory=dict)
    numbers: int = 0

    def __post_init__(self) -> None:
        self.next_progress = self.limits.progress_bytes


async def _counted(chunks: AsyncIterable[bytes], reading: _Reading) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        reading.bytes_read += len(chunk)
        yield chunk


def _too_large(detail: str) -> ArchiveRefused:
    return ArchiveRefused(ArchiveProblem.TOO_LARGE, detail)


async def _inflated(reading: _Reading, name: str, chunk: bytes, member_bytes: int, limit: int) -> None:
    """Count `chunk` of the entry `name`; refused as soon as a limit is passed."""
    limits = reading.limits
    reading.inflated += len(chunk)
    if member_bytes > limit:
        raise _too_large(f"{name} is larger than {limit} bytes once inflated")
    if reading.inflated > limits.max_total_bytes:
        raise _too_large(f"the archive holds more than {limits.max_total_bytes} bytes once inflated")
    if reading.inflated > limits.max_compression_ratio * max(reading.bytes_read, 1):
        raise _too_large(
            f"the archive inflates more than {limits.max_compression_ratio:g} times its size "
            f"(at {name}): a zip bomb"
        )
    if reading.bytes_read >= reading.next_progress:
        reading.next_progress = reading.bytes_read + limits.progress_bytes
        await reading.target.progress(reading.bytes_read)


async def _read_document(reading: _Reading, name: str, chunks: AsyncIterator[bytes]) -> bytes:
    limit = reading.limits.max_metadata_bytes
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        await _inflated(reading, name, chunk, size, limit)
        parts.append(chunk)
    return b"".join(parts)


async def _skip(reading: _Reading, name: str, chunks: AsyncIterator[bytes]) -> None:
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        await _inflated(reading, name, chunk, size, reading.limits.max_metadata_bytes)


def _check_against_library(reading: _Reading, pdf: _Extracted) -> None:
    """The PDF is the one library.json describes, byte for byte (size and SHA-256)."""
    assert reading.library is not None
    listed = reading.library.by_file.get(pdf.name)
    if listed is None:
        raise _inconsistent(f"{pdf.name} is in the archive but not in {LIBRARY_FILE}")
    if listed.size_bytes != pdf.size_bytes:
        raise _inconsistent(f"{pdf.name} has {pdf.size_bytes} bytes; {LIBRARY_FILE} says {listed.size_bytes}")
    if listed.content_hash != pdf.content_hash:
        raise _inconsistent(f"the SHA-256 of {pdf.name} is not the one {LIBRARY_FILE} gives")


async def _extract_pdf(
    reading: _Reading, name: str, declared_size: int | None, chunks: AsyncIterator[bytes]
) -> None:
    """Hash the PDF on its way to storage; a duplicate is dropped once its hash is known (or never
    stored when library.json, read first, already says it is one)."""
    limits = reading.limits
    listed = reading.library.by_file.get(name) if reading.library is not None else None
    if reading.library is not None and listed is None:
        raise _inconsistent(f"{name} is in the archive but not in {LIBRARY_FILE}")
    if declared_size is not None and declared_size > limits.max_file_bytes:
        raise _too_large(f"{name} is larger than {limits.max_file_bytes} bytes once inflated")
    listed_hash = listed.content_hash if listed is not None else None
    known_duplicate = listed_hash is not None and (
        listed_hash in reading.existing or listed_hash in reading.kept_by_hash
    )
    writer: ExtractedWriter | None = None
    if not known_duplicate:
        reading.numbers += 1
        writer = await reading.target.open(reading.numbers)
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            await _inflated(reading, name, chunk, size, limits.max_file_bytes)
            if listed is not None and listed.size_bytes is not None and size > listed.size_bytes:
                raise _inconsistent(f"{name} has more bytes than the {listed.size_bytes} {LIBRARY_FILE} says")
            quota = limits.free_bytes
            if not known_duplicate and quota is not None and reading.new_bytes + size > quota:
                raise ArchiveRefused(
                    ArchiveProblem.QUOTA_EXCEEDED,
                    f"the archive's new scores need more than the {limits.free_bytes} bytes "
                    "free in your quota",
                )
            if len(head) < HEADER_WINDOW:
                head += chunk[: HEADER_WINDOW - len(head)]
                if len(head) == HEADER_WINDOW and PDF_MAGIC not in head:
                    raise ArchiveRefused(
                        ArchiveProblem.NOT_PDF, f"{name} is not a PDF (no %PDF- in its first 1,024 bytes)"
                    )
            digest.update(chunk)
            if writer is not None:
                await writer.write(chunk)
        if PDF_MAGIC not in head:
            raise ArchiveRefused(ArchiveProblem.NOT_PDF, f"{name} is not a PDF (no %PDF- header)")
        if writer is not None:
            await writer.finish()
    except BaseException:
        if writer is not None:
            await writer.discard()
        raise
    content_hash = digest.hexdigest()
    duplicate = content_hash in reading.existing or content_hash in reading.kept_by_hash
    pdf = _Extracted(
        name,
        reading.numbers if writer is not None else 0,
        size,
        content_hash,
        kept=writer is not None and not duplicate,
    )
    if reading.library is not None:
        try:
            _check_against_library(reading, pdf)
        except ArchiveRefused:
            if writer is not None:
                await writer.discard()
            raise
    if writer is not None and duplicate:
        await writer.discard()
    if pdf.kept:
        reading.kept_by_hash[content_hash] = name
        reading.new_bytes += size
    reading.extracted[name] = pdf


async def check_archive(
    chunks: AsyncIterable[bytes],
    *,
    limits: ArchiveLimits,
    existing: Mapping[str, uuid.UUID],
    target: ExtractionTarget,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> CheckedArchive:
    """Read the archive once and check everything; what to hand on (new score ids from `new_id`,
    duplicates of `existing`, the user's scores by content hash, mapped to those). Raises
    `ArchiveRefused`; whatever it extracted before then is the caller's to delete."""
    reading = _Reading(limits=limits, existing=existing, target=target)
    entries = async_stream_unzip(
        _counted(chunks, reading),
        chunk_size=limits.chunk_bytes,
        allowed_encryption_mechanisms=(NO_ENCRYPTION,),
    )
    try:
        # Closed at once when a check refuses half-way: nothing more is read.
        async with aclosing(entries):
            async for raw_name, declared_size, member in entries:
                async with aclosing(member):
                    await _read_entry(reading, raw_name, declared_size, member)
    except (UnzipError, StreamInflateError) as exc:
        raise ArchiveRefused(ArchiveProblem.INVALID, _unreadable(exc)) from exc
    await target.progress(reading.bytes_read)
    return _conclude(reading, new_id)


async def _read_entry(
    reading: _Reading, raw_name: bytes, declared_size: int | None, member: AsyncGenerator[bytes, None]
) -> None:
    kind, name = classify_entry(raw_name)
    if name in reading.names:
        raise _inconsistent(f"the archive holds {name} twice")
    reading.names.add(name)
    reading.entries += 1
    if reading.entries > reading.limits.max_entries:
        raise _too_large(f"the archive holds more than {reading.limits.max_entries} entries")
    if kind is EntryKind.PDF:
        await _extract_pdf(reading, name, declared_size, member)
        return
    if declared_size is not None and declared_size > reading.limits.max_metadata_bytes:
        raise _too_large(f"{name} is larger than {reading.limits.max_metadata_bytes} bytes")
    if kind is EntryKind.LIBRARY:
        reading.library = parse_library(await _read_document(reading, name, member))
        # PDFs read before library.json are checked against it now.
        for pdf in reading.extracted.values():
            _check_against_library(reading, pdf)
    elif kind is EntryKind.SETLISTS:
        reading.setlists = parse_setlists(await _read_document(reading, name, member))
    else:  # README.md, account.json, the scores/ folder: read past
        await _skip(reading, name, member)


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, MissingPasswordError | PasswordError):
        return "an entry of the archive is encrypted"
    if isinstance(exc, NotStreamUnzippable):
        return "an entry is stored without its size, which cannot be read as it streams"
    if isinstance(exc, UnsupportedFeatureError):
        return "an entry uses a ZIP feature this server does not read"
    if isinstance(exc, IntegrityError):
        return "an entry does not match its checksum or size: the archive is corrupt"
    if isinstance(exc, TruncatedDataError):
        return "the archive ends too early: it is truncated, or not a ZIP archive"
    if isinstance(exc, UnexpectedSignatureError):
        return "the file is not a ZIP archive, or a corrupt one"
    return "the archive could not be read as a ZIP archive"


def _conclude(reading: _Reading, new_id: Callable[[], uuid.UUID]) -> CheckedArchive:
    """library.json against the PDFs, setlists against library.json, the quota; then the scores
    to create and the setlists with their items mapped to the new (or existing) score ids."""
    if reading.library is None:
        raise _inconsistent(f"the archive has no {LIBRARY_FILE}")
    library = reading.library
    for file in library.by_file:
        if file not in reading.extracted:
            raise _inconsistent(f"{file} is listed in {LIBRARY_FILE} but not in the archive")
    known_ids = {score.id for score in library.scores}
    for setlist in reading.setlists or []:
        for item in setlist.items:
            if item.score_id not in known_ids:
                raise _inconsistent(
                    f"the setlist {setlist.title!r} names the score {item.score_id}, "
                    f"which is not in {LIBRARY_FILE}"
                )
    limits = reading.limits
    if limits.free_bytes is not None and reading.new_bytes > limits.free_bytes:
        raise ArchiveRefused(
            ArchiveProblem.QUOTA_EXCEEDED,
            f"the archive's new scores need {reading.new_bytes} bytes; "
            f"{limits.free_bytes} are free in your quota",
        )

    # The score each content becomes: the user's own, or the new score of its first copy here.
    final_by_hash: dict[str, uuid.UUID] = dict(reading.existing)
    new_ids: dict[str, uuid.UUID] = {}
    for content_hash, name in reading.kept_by_hash.items():
        new_ids[name] = final_by_hash[content_hash] = new_id()
    scores: list[ImportedScore] = []
    duplicates: list[SkippedDuplicate] = []
    final_by_old_id: dict[uuid.UUID, uuid.UUID] = {}
    without_file = 0
    for listed in library.scores:
        if listed.file is None:
            without_file += 1
            continue
        file = listed.file
        pdf = reading.extracted[file]
        final_by_old_id[listed.id] = final_by_hash[pdf.content_hash]
        if file not in new_ids:
            duplicates.append(
                SkippedDuplicate(listed.title, pdf.content_hash, final_by_hash[pdf.content_hash])
            )
            continue
        scores.append(
            ImportedScore(
                score_id=new_ids[file],
                source_key=reading.target.key(pdf.number),
                filename=file.removeprefix(SCORES_DIR),
                size_bytes=pdf.size_bytes,
                mime=PDF_MIME,
                content_hash=pdf.content_hash,
                title=listed.title,
                composer=listed.composer,
                instrumentation=listed.instrumentation,
                tags=listed.tags,
                note=listed.note,
            )
        )
    setlists = [
        ImportedSetlist(
            title=setlist.title,
            description=setlist.description,
            # In order, repeats kept; a score without a file is not created, so its items go.
            score_ids=[
                final_by_old_id[item.score_id]
                for item in sorted(setlist.items, key=lambda item: item.position)
                if item.score_id in final_by_old_id
            ],
        )
        for setlist in reading.setlists or []
    ]
    return CheckedArchive(
        scores=scores,
        setlists=setlists,
        duplicates=duplicates,
        scores_without_file=without_file,
        bytes_read=reading.bytes_read,
        new_bytes=reading.new_bytes,
    )
