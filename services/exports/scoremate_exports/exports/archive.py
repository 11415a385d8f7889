"""The export archive (format_version 1): what it holds, in order (README.md, library.json,
setlists.json, account.json, then every original PDF under scores/), and how it is built: stream-zip
deflates the members as they stream in, and the ZIP's bytes are cut into the parts of a multipart
upload, so memory holds about one part (two at a cut) whatever the library's size. Each PDF's size
and SHA-256 are checked against library.json while it streams through."""

import hashlib
import re
import stat
import uuid
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from stream_zip import ZIP_64, AsyncMemberFile, async_stream_zip

from scoremate_shared.storage import ObjectMissing

FORMAT_VERSION = 1
README_NAME = "README.md"
LIBRARY_NAME = "library.json"
SETLISTS_NAME = "setlists.json"
ACCOUNT_NAME = "account.json"
PROFILE_NAME = "profile.json"
BILLING_NAME = "billing.json"
PDF_FOLDER = "scores/"
# Members are plain files the owner may change, for unzip tools that restore modes.
MEMBER_MODE = stat.S_IFREG | 0o644
# stream-zip hands its output over in chunks of this size (each a hop between its thread and the
# event loop): big enough that the hops cost nothing next to deflate, small next to a part.
ZIP_CHUNK_BYTES = 1024 * 1024
# A name inside scores/ (the library makes them at most 120 characters; ZIP takes far more).
MAX_NAME_CHARS = 255
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class InvalidPart(Exception):
    """A contributor's part cannot be made into the archive (not the documented JSON, or a file
    name that is not a plain name under scores/): a fault no new attempt would mend."""


class OriginalVanished(Exception):
    """An original of the snapshot is no longer in storage (its score was deleted after the
    snapshot): a new snapshot will not list it."""

    def __init__(self, score_id: uuid.UUID) -> None:
        super().__init__(f"the original of score {score_id} is no longer in storage")
        self.score_id = score_id


class OriginalChanged(Exception):
    """An original's bytes are not those library.json describes (size or SHA-256)."""


@dataclass(frozen=True)
class PackedPdf:
    """An original the archive carries: its member name and what its bytes must be."""

    score_id: uuid.UUID
    name: str
    size_bytes: int
    content_hash: str


@dataclass(frozen=True)
class Snapshot:
    """Everything of the archive but the PDFs' bytes: the documents in order, and the PDFs to pack."""

    as_of: datetime
    documents: list[tuple[str, bytes]]
    pdfs: list[PackedPdf]
    scores: int
    setlists: int


@dataclass(frozen=True)
class ArchiveBuilt:
    size_bytes: int
    parts: int
    scores_packed: int


class _LibraryScore(BaseModel):
    # Only what the archive's building needs; every other field is carried through as written.
    model_config = ConfigDict(extra="allow")

    id: uuid.UUID
    size_bytes: int | None = None
    content_hash: str | None = None
    file: str | None = None


class _Library(BaseModel):
    model_config = ConfigDict(extra="allow")

    format_version: Literal[1]
    as_of: datetime
    scores: list[_LibraryScore]


class _Setlists(BaseModel):
    model_config = ConfigDict(extra="allow")

    format_version: Literal[1]
    setlists: list[dict[str, Any]]


def _member_name(file: str, score_id: uuid.UUID) -> str:
    """library.json's `file` as a member name: one plain name under scores/, ending in .pdf."""
    name = file.removeprefix(PDF_FOLDER)
    plain = (
        file.startswith(PDF_FOLDER)
        and file.endswith(".pdf")
        and len(name) > len(".pdf")
        and not any(ch in name for ch in "/\\:")
        and not name.startswith(".")
        and all(ch.isprintable() for ch in name)
        and len(name) <= MAX_NAME_CHARS
    )
    if not plain:
        raise InvalidPart(f"library.json names the file of score {score_id} {file!r}, not scores/<name>.pdf")
    return file


def _json_object(name: str, data: bytes) -> Any:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidPart(f"{name} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidPart(f"{name} is not a JSON object")
    return document


def snapshot_of(library: bytes, setlists: bytes, profile: bytes, billing: bytes) -> Snapshot:
    """The archive's plan from the four part files: library.json and setlists.json go in exactly as
    the library wrote them, profile and billing nested into account.json."""
    try:
        listed = _Library.model_validate_json(library)
        kept = _Setlists.model_validate_json(setlists)
    except ValidationError as exc:
        raise InvalidPart(f"library.json or setlists.json is not format_version 1: {exc}") from exc
    pdfs: list[PackedPdf] = []
    names: set[str] = set()
    for score in listed.scores:
        if score.file is None:
            continue
        name = _member_name(score.file, score.id)
        if name in names:
            raise InvalidPart(f"library.json names {name!r} twice")
        names.add(name)
        if score.size_bytes is None or score.size_bytes < 0:
            raise InvalidPart(f"score {score.id} has a file but no size_bytes")
        if score.content_hash is None or not _SHA256_HEX.match(score.content_hash):
            raise InvalidPart(f"score {score.id} has a file but no SHA-256 content_hash")
        pdfs.append(PackedPdf(score.id, name, score.size_bytes, score.content_hash))
    as_of = listed.as_of if listed.as_of.tzinfo else listed.as_of.replace(tzinfo=UTC)
    account = orjson.dumps(
        {
            "format_version": FORMAT_VERSION,
            "profile": _json_object(PROFILE_NAME, profile),
            "billing": _json_object(BILLING_NAME, billing),
        },
        option=orjson.OPT_INDENT_2,
    )
    return Snapshot(
        as_of=as_of,
        documents=[
            (README_NAME, readme(as_of)),
            (LIBRARY_NAME, library),
            (SETLISTS_NAME, setlists),
            (ACCOUNT_NAME, account),
        ],
        pdfs=pdfs,
        scores=len(listed.scores),
        setlists=len(kept.setlists),
    )


def readme(as_of: datetime) -> bytes:
    """The archive's own description: its files, its format version, its moment, and the way back in."""
    moment = as_of.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return f"""# ScoreMate library export

format_version: {FORMAT_VERSION}
as_of: {moment}

This archive is your whole ScoreMate library as it stood at `as_of` (UTC): every score and
setlist was read in one database snapshot taken at that moment, so a change made while the
export ran is either wholly in it or not at all.

## Files
- `README.md`: this description.
- `library.json`: `{{"format_version": {FORMAT_VERSION}, "as_of", "scores": [...]}}`, every score with all
  its metadata (title, composer, instrumentation, tags, note, status, pages, page sizes, size,
  MIME type, SHA-256 `content_hash`, which fields were filled from the PDF, creation and change
  times). `file` names the score's PDF in this archive, or is `null` when the upload was never
  verified (no file to carry).
- `setlists.json`: `{{"format_version": {FORMAT_VERSION}, "as_of", "setlists": [...]}}`, each setlist with its
  items in order (`position` counts from 0; a score may appear more than once: a repeat).
- `account.json`: `{{"format_version": {FORMAT_VERSION}, "profile", "billing"}}`: your account (e-mail,
  registration, referral code) and your plan, usage, billing history and referrals.
- `scores/`: every original PDF, byte for byte, named after its title and the first 8
  characters of its id; its SHA-256 is the score's `content_hash` in `library.json`.

## Importing it
Into this account or another: `POST /imports` with `{{"size_bytes": <the archive's size>}}`, PUT
the archive to the `upload.url` it answers (with its `headers`), then `POST /imports/{{id}}/start`
and follow `GET /imports/{{id}}`. Scores whose PDF the account already has (the same SHA-256) are
skipped and reported; setlists are rebuilt in their order. Change nothing in the archive: an
archive whose files do not match `library.json` is refused.
""".encode()


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class _Packing:
    """How many scores are wholly in the archive so far."""

    def __init__(self, without_file: int) -> None:
        self.scores_packed = without_file


async def _checked(chunks: AsyncIterable[bytes], pdf: PackedPdf, packing: _Packing) -> AsyncIterator[bytes]:
    """The original's bytes as they stream, with its size and SHA-256 checked; counted as packed at
    its end."""
    digest = hashlib.sha256()
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > pdf.size_bytes:
                raise OriginalChanged(
                    f"the original of score {pdf.score_id} is larger than library.json says"
                )
            digest.update(chunk)
            yield chunk
    except ObjectMissing as exc:
        raise OriginalVanished(pdf.score_id) from exc
    if received != pdf.size_bytes:
        raise OriginalChanged(
            f"the original of score {pdf.score_id} has {received} bytes, not the {pdf.size_bytes} listed"
        )
    if digest.hexdigest() != pdf.content_hash:
        raise OriginalChanged(f"the original of score {pdf.score_id} does not match its SHA-256")
    packing.scores_packed += 1


async def build_archive(
    snapshot: Snapshot,
    open_pdf: Callable[[PackedPdf], AsyncIterable[bytes]],
    write_part: Callable[[int, bytes], Awaitable[None]],
    *,
    part_bytes: int,
    deflate_level: int,
    on_part: Callable[[int], Awaitable[None]] | None = None,
) -> ArchiveBuilt:
    """Stream the archive of `snapshot` into parts of exactly `part_bytes` (the last one shorter):
    `write_part(number, data)` with 1-based numbers, then `on_part(scores_packed)`. `open_pdf` gives
    an original's bytes (raising `ObjectMissing` when it is gone)."""
    packing = _Packing(snapshot.scores - len(snapshot.pdfs))
    # Every member is dated the snapshot's moment: the same snapshot gives the same bytes.
    modified = snapshot.as_of

    async def members() -> AsyncIterator[AsyncMemberFile]:
        for name, data in snapshot.documents:
            yield name, modified, MEMBER_MODE, ZIP_64, _once(data)
        for pdf in snapshot.pdfs:
            yield pdf.name, modified, MEMBER_MODE, ZIP_64, _checked(open_pdf(pdf), pdf, packing)

    def compressor() -> "zlib._Compress":
        return zlib.compressobj(level=deflate_level, memLevel=8, wbits=-zlib.MAX_WBITS)

    pending: list[bytes] = []
    pending_bytes = size = parts = 0

    async def cut(data: bytes) -> None:
        nonlocal parts
        parts += 1
        await write_part(parts, data)
        if on_part is not None:
            await on_part(packing.scores_packed)

    async for chunk in async_stream_zip(members(), chunk_size=ZIP_CHUNK_BYTES, get_compressobj=compressor):
        size += len(chunk)
        while chunk:
            # Only the chunk that crosses a part's end is split: the part is joined once, and the
            # pieces it was joined from are let go before it is sent.
            take = min(len(chunk), part_bytes - pending_bytes)
            pending.append(chunk if take == len(chunk) else chunk[:take])
            pending_bytes += take
            chunk = chunk[take:]
            if pending_bytes == part_bytes:
                data = b"".join(pending)
                pending.clear()
                pending_bytes = 0
                await cut(data)
                del data
    if pending_bytes or parts == 0:
        await cut(b"".join(pending))
    return ArchiveBuilt(size_bytes=size, parts=parts, scores_packed=packing.scores_packed)
