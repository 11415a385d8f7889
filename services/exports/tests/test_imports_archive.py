"""The import archive's check as a pure streaming function: archives made here with zipfile and
stream-zip (as the export writes them), fed as async chunks, extracted into memory."""

import hashlib
import io
import json
import random
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from stream_zip import NO_COMPRESSION_64, ZIP_64, stream_zip

from scoremate_exports.imports.archive_check import (
    ArchiveLimits,
    ArchiveProblem,
    ArchiveRefused,
    CheckedArchive,
    check_archive,
)

MB = 1024 * 1024
CHUNK = 64 * 1024


def limits(**changes: Any) -> ArchiveLimits:
    values: dict[str, Any] = dict(
        max_file_bytes=50 * MB,
        max_metadata_bytes=1 * MB,
        max_total_bytes=200 * MB,
        max_compression_ratio=100.0,
        max_entries=100,
        free_bytes=None,
        chunk_bytes=CHUNK,
        progress_bytes=256 * 1024,
    )
    values.update(changes)
    return ArchiveLimits(**values)


class MemoryWriter:
    def __init__(self, target: "MemoryTarget", key: str) -> None:
        self.target, self.key, self.parts = target, key, list[bytes]()

    async def write(self, chunk: bytes) -> None:
        self.target.written += len(chunk)
        if self.target.keep_bytes:
            self.parts.append(chunk)

    async def finish(self) -> None:
        self.target.objects[self.key] = b"".join(self.parts)

    async def discard(self) -> None:
        self.target.objects.pop(self.key, None)
        self.target.discarded.append(self.key)


class MemoryTarget:
    """Extracted PDFs kept in memory by key."""

    def __init__(self, *, keep_bytes: bool = True) -> None:
        self.keep_bytes = keep_bytes
        self.objects: dict[str, bytes] = {}
        self.opened: list[int] = []
        self.discarded: list[str] = []
        self.progressed: list[int] = []
        self.written = 0

    def key(self, number: int) -> str:
        return f"imports/u/i/scores/{number}.pdf"

    async def open(self, number: int) -> MemoryWriter:
        self.opened.append(number)
        return MemoryWriter(self, self.key(number))

    async def progress(self, bytes_read: int) -> None:
        self.progressed.append(bytes_read)


class Source:
    """An archive's bytes as async chunks, counting what the check pulled."""

    def __init__(self, data: bytes | Iterable[bytes], chunk: int = CHUNK) -> None:
        self.chunks = self._split(data, chunk) if isinstance(data, bytes) else iter(data)
        self.pulled = 0

    @staticmethod
    def _split(data: bytes, chunk: int) -> Iterator[bytes]:
        for start in range(0, len(data), chunk):
            yield data[start : start + chunk]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += len(chunk)
            yield chunk


def pdf(text: str, size: int = 0) -> bytes:
    """A PDF's header and `size` bytes that barely compress, as a real score's."""
    body = b"%PDF-1.7\n% " + text.encode() + b"\n"
    return body + random.Random(text).randbytes(max(size - len(body), 0))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def library_entry(title: str, data: bytes | None, name: str | None = None, **extra: Any) -> dict[str, Any]:
    score_id = str(uuid.uuid4())
    return {
        "id": score_id,
        "title": title,
        "composer": "J. S. Bach",
        "instrumentation": "violin",
        "tags": ["baroque", "solo"],
        "note": "Bowings from the autograph",
        "status": "ready",
        "error": None,
        "pages": 2,
        "page_sizes": [[595.0, 842.0], [595.0, 842.0]],
        "size_bytes": len(data) if data is not None else 0,
        "mime": "application/pdf",
        "content_hash": sha(data) if data is not None else None,
        "filled_from_pdf": [],
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "file": None if data is None else (name or f"scores/{title} - {score_id[:8]}.pdf"),
        **extra,
    }


def library_json(scores: list[dict[str, Any]], version: Any = 1) -> bytes:
    return json.dumps({"format_version": version, "as_of": "2026-01-02T00:00:00Z", "scores": scores}).encode()


def setlists_json(setlists: list[tuple[str, list[str]]]) -> bytes:
    return json.dumps(
        {
            "format_version": 1,
            "as_of": "2026-01-02T00:00:00Z",
            "setlists": [
                {
                    "id": str(uuid.uuid4()),
                    "title": title,
                    "description": f"{title} notes",
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                    # Listed out of order: the positions give it.
                    "items": [
                        {"score_id": score_id, "position": position, "title": "t"}
                        for position, score_id in reversed(list(enumerate(score_ids)))
                    ],
                }
                for title, score_ids in setlists
            ],
        }
    ).encode()


def zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buffer.getvalue()


def streamed_zip(members: list[tuple[str, Iterable[bytes]]], method: Any = ZIP_64) -> Iterable[bytes]:
    """As the export writes its archive: stream-zip, ZIP_64 members with data descriptors (no
    sizes in the local headers)."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return stream_zip((name, moment, 0o600, method, chunks) for name, chunks in members)


def exported(
    scores: Sequence[tuple[dict[str, Any], bytes | None]], setlists: list[tuple[str, list[str]]] | None = None
) -> list[tuple[str, bytes]]:
    """The members of an export in its order: README, library.json, setlists.json, account.json, PDFs."""
    members = [
        ("README.md", b"# ScoreMate export\n"),
        ("library.json", library_json([entry for entry, _ in scores])),
        ("setlists.json", setlists_json(setlists or [])),
        ("account.json", b'{"format_version": 1, "profile": {}, "billing": {}}'),
    ]
    members += [(entry["file"], data) for entry, data in scores if data is not None]
    return members


async def check(
    data: bytes | Iterable[bytes],
    target: MemoryTarget | None = None,
    existing: dict[str, uuid.UUID] | None = None,
    **limit_changes: Any,
) -> CheckedArchive:
    return await check_archive(
        Source(data),
        limits=limits(**limit_changes),
        existing=existing or {},
        target=target or MemoryTarget(),
    )


async def refused(
    data: bytes | Iterable[bytes], target: MemoryTarget | None = None, **kw: Any
) -> ArchiveRefused:
    with pytest.raises(ArchiveRefused) as caught:
        await check(data, target, **kw)
    return caught.value


# --- accepted -----------------------------------------------------------------------------------


async def test_an_exported_library_is_accepted_with_its_scores_and_setlists_in_order():
    air, gigue, unsent = pdf("air", 300_000), pdf("gigue"), None
    air_entry, gigue_entry = library_entry("Air", air), library_entry("Gigue", gigue)
    never_uploaded = library_entry("Sketch", unsent)
    members = exported(
        [(air_entry, air), (gigue_entry, gigue), (never_uploaded, unsent)],
        [
            ("Recital", [gigue_entry["id"], air_entry["id"], gigue_entry["id"]]),
            ("Only a sketch", [never_uploaded["id"]]),
        ],
    )
    target = MemoryTarget()
    archive = b"".join(streamed_zip([(name, [data]) for name, data in members]))

    checked = await check(archive, target)

    assert [score.title for score in checked.scores] == ["Air", "Gigue"]
    first, second = checked.scores
    assert first.filename == air_entry["file"].removeprefix("scores/")
    assert (first.size_bytes, first.content_hash, first.mime) == (len(air), sha(air), "application/pdf")
    assert (first.composer, first.instrumentation, first.tags, first.note) == (
        "J. S. Bach",
        "violin",
        ["baroque", "solo"],
        "Bowings from the autograph",
    )
    # Byte for byte in the target, under the keys handed on.
    assert target.objects == {first.source_key: air, second.source_key: gigue}
    # Items in position order, repeats kept, mapped to the new ids; a score without a file is not
    # created, so its items go.
    recital, sketch = checked.setlists
    assert (recital.title, recital.description) == ("Recital", "Recital notes")
    assert recital.score_ids == [second.score_id, first.score_id, second.score_id]
    assert sketch.score_ids == []
    assert checked.scores_without_file == 1
    assert checked.duplicates == []
    assert checked.new_bytes == len(air) + len(gigue)
    assert checked.bytes_read == len(archive)
    assert target.progressed[-1] == len(archive)


async def test_pdfs_before_library_json_are_checked_against_it_at_the_end():
    air = pdf("air")
    entry = library_entry("Air", air)
    archive = zip_bytes([(entry["file"], air), ("library.json", library_json([entry]))])

    checked = await check(archive)

    assert [score.content_hash for score in checked.scores] == [sha(air)]


async def test_duplicates_of_the_library_and_inside_the_archive_are_skipped_and_reported():
    owned, new = pdf("owned"), pdf("new")
    owned_entry, new_entry = library_entry("Owned", owned), library_entry("New", new)
    again = library_entry("New again", new)
    existing_id = uuid.uuid4()
    members = exported(
        [(owned_entry, owned), (new_entry, new), (again, new)],
        [("Set", [owned_entry["id"], again["id"], new_entry["id"]])],
    )
    target = MemoryTarget()

    checked = await check(zip_bytes(members), target, existing={sha(owned): existing_id})

    [imported] = checked.scores
    assert imported.title == "New"
    assert [(d.title, d.content_hash, d.existing_score_id) for d in checked.duplicates] == [
        ("Owned", sha(owned), existing_id),
        ("New again", sha(new), imported.score_id),
    ]
    assert checked.setlists[0].score_ids == [existing_id, imported.score_id, imported.score_id]
    # library.json came first: known duplicates are hashed but never stored.
    assert target.opened == [1]
    assert target.objects == {imported.source_key: new}
    assert checked.new_bytes == len(new)


async def test_a_duplicate_found_only_once_hashed_is_dropped_from_storage():
    owned = pdf("owned")
    entry = library_entry("Owned", owned)
    # library.json last: the PDF is stored before anyone knows it is a duplicate.
    archive = zip_bytes([(entry["file"], owned), ("library.json", library_json([entry]))])
    target = MemoryTarget()

    checked = await check(archive, target, existing={sha(owned): uuid.uuid4()})

    assert checked.scores == []
    assert target.opened == [1]
    assert target.objects == {}
    assert target.discarded == [target.key(1)]


async def test_duplicates_do_not_count_against_the_quota():
    owned = pdf("owned", 10_000)
    entry = library_entry("Owned", owned)

    checked = await check(
        zip_bytes(exported([(entry, owned)])), existing={sha(owned): uuid.uuid4()}, free_bytes=0
    )

    assert checked.new_bytes == 0


async def test_an_empty_library_is_accepted():
    checked = await check(zip_bytes([("library.json", library_json([]))]))

    assert (checked.scores, checked.setlists, checked.duplicates) == ([], [], [])


async def test_a_stored_zip_with_a_scores_folder_entry_is_accepted():
    air = pdf("air")
    entry = library_entry("Air", air)
    archive = zip_bytes(
        [("library.json", library_json([entry])), ("scores/", b""), (entry["file"], air)], zipfile.ZIP_STORED
    )

    checked = await check(archive)

    assert len(checked.scores) == 1


# --- refused: too large, a zip bomb ------------------------------------------------------------


async def test_a_zip_bomb_is_refused_after_reading_little_and_fast():
    """2 GiB of zeros behind a PDF header, deflated into about 2 MB; made lazily, as it is read."""
    zeros = bytes(MB)
    entry = library_entry(
        "Bomb", b"", name="scores/bomb.pdf", size_bytes=2048 * MB + 9, content_hash="0" * 64
    )
    bomb = streamed_zip(
        [("library.json", [library_json([entry])]), ("scores/bomb.pdf", [b"%PDF-1.7\n", *([zeros] * 2048)])]
    )
    source = Source(bomb)
    target = MemoryTarget(keep_bytes=False)
    started = time.monotonic()

    with pytest.raises(ArchiveRefused) as caught:
        await check_archive(source, limits=limits(max_file_bytes=200 * MB), existing={}, target=target)

    assert caught.value.problem is ArchiveProblem.TOO_LARGE
    assert "zip bomb" in caught.value.detail
    assert source.pulled < 1 * MB
    assert target.written < 20 * MB
    assert time.monotonic() - started < 10
    assert target.objects == {}
    assert target.discarded == [target.key(1)]


async def test_a_file_above_the_limit_is_refused_before_it_is_inflated_when_its_size_is_declared():
    big = pdf("big", 3 * MB)
    entry = library_entry("Big", big)
    target = MemoryTarget()

    problem = await refused(zip_bytes(exported([(entry, big)])), target, max_file_bytes=2 * MB)

    assert problem.problem is ArchiveProblem.TOO_LARGE
    assert target.opened == []  # zipfile writes the size up front: refused before a byte is stored


async def test_a_file_above_the_limit_is_refused_while_it_streams():
    big = pdf("big", 3 * MB)
    entry = library_entry("Big", big)
    archive = streamed_zip([(name, [data]) for name, data in exported([(entry, big)])])
    target = MemoryTarget()

    problem = await refused(archive, target, max_file_bytes=2 * MB)

    assert problem.problem is ArchiveProblem.TOO_LARGE
    assert target.written <= 2 * MB + CHUNK
    assert target.objects == {}


async def test_an_archive_above_the_total_limit_is_refused():
    a, b = pdf("a", 600_000), pdf("b", 600_000)
    scores = [(library_entry("A", a), a), (library_entry("B", b), b)]

    problem = await refused(zip_bytes(exported(scores), zipfile.ZIP_STORED), max_total_bytes=1 * MB)

    assert problem.problem is ArchiveProblem.TOO_LARGE


async def test_a_large_library_json_is_refused():
    problem = await refused(zip_bytes([("library.json", b" " * (2 * MB))]), max_metadata_bytes=1 * MB)

    assert problem.problem is ArchiveProblem.TOO_LARGE


async def test_too_many_entries_are_refused():
    pdfs = [pdf(str(n)) for n in range(5)]

    problem = await refused(
        zip_bytes(exported([(library_entry(str(n), data), data) for n, data in enumerate(pdfs)])),
        max_entries=6,
    )

    assert problem.problem is ArchiveProblem.TOO_LARGE


# --- refused: unsafe paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../x.pdf",
        "/etc/x",
        "scores/../../x.pdf",
        "scores\\x.pdf",
        "..\\..\\x.pdf",
        "C:/x.pdf",
        "scores/sub/x.pdf",
        "scores/.x.pdf",
        "scores/x.exe",
        "__MACOSX/._library.json",
        "x.pdf",
        "scores/x\n.pdf",
    ],
)
async def test_an_entry_outside_the_archives_own_files_is_refused(name: str):
    air = pdf("air")
    entry = library_entry("Air", air, name=name)
    archive = streamed_zip([("library.json", [library_json([entry])]), (name, [air])])
    target = MemoryTarget()

    problem = await refused(archive, target)

    assert problem.problem is ArchiveProblem.UNSAFE_PATH
    assert target.opened == []


async def test_an_entry_name_that_is_not_utf8_is_refused():
    archive = zip_bytes([("library.json", library_json([]))])
    # zipfile writes the name as given; make it invalid UTF-8 in the local header only.
    broken = archive.replace(b"library.json", b"librar\xff.json", 1)

    problem = await refused(broken)

    assert problem.problem is ArchiveProblem.UNSAFE_PATH


# --- refused: not a PDF ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000,
        b"GIF89a not a pdf",
        b"%PD",
        b" " * 1024 + b"%PDF-1.7 too late",
    ],
)
async def test_a_score_that_is_not_a_pdf_is_refused(data: bytes):
    entry = library_entry("Image", data)
    target = MemoryTarget()

    problem = await refused(zip_bytes(exported([(entry, data)])), target)

    assert problem.problem is ArchiveProblem.NOT_PDF
    assert target.objects == {}


async def test_a_pdf_header_after_a_little_junk_is_accepted():
    data = b"\xef\xbb\xbf" + pdf("bom")

    checked = await check(zip_bytes(exported([(library_entry("Bom", data), data)])))

    assert len(checked.scores) == 1


# --- refused: library.json lies ----------------------------------------------------------------


def _lying(kind: str) -> list[tuple[str, bytes]]:
    air, gigue = pdf("air"), pdf("gigue")
    air_entry, gigue_entry = library_entry("Air", air), library_entry("Gigue", gigue)
    if kind == "wrong hash":
        air_entry["content_hash"] = sha(b"something else")
        return exported([(air_entry, air)])
    if kind == "wrong size":
        air_entry["size_bytes"] = len(air) + 1
        return exported([(air_entry, air)])
    if kind == "fewer bytes than said":
        return exported([(air_entry, air[:-1])])
    if kind == "missing file":
        return exported([(air_entry, air), (gigue_entry, gigue)])[:-1]
    if kind == "extra file":
        return [*exported([(air_entry, air)]), (gigue_entry["file"], gigue)]
    if kind == "extra file before library.json":
        return [(gigue_entry["file"], gigue), *exported([(air_entry, air)])]
    if kind == "unknown setlist item":
        return exported([(air_entry, air)], [("Set", [air_entry["id"], str(uuid.uuid4())])])
    if kind == "no library.json":
        return [(air_entry["file"], air)]
    if kind == "library.json not JSON":
        return [("library.json", b"{not json")]
    if kind == "unknown format_version":
        return [("library.json", library_json([], version=2))]
    if kind == "a score without a title":
        air_entry["title"] = " "
        return exported([(air_entry, air)])
    if kind == "a file given twice":
        gigue_entry["file"] = air_entry["file"]
        return [("library.json", library_json([air_entry, gigue_entry])), (air_entry["file"], air)]
    if kind == "an entry twice":
        return [*exported([(air_entry, air)]), (air_entry["file"], air)]
    if kind == "setlists.json not valid":
        return [("library.json", library_json([])), ("setlists.json", b'{"format_version": 1}')]
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "wrong hash",
        "wrong size",
        "fewer bytes than said",
        "missing file",
        "extra file",
        "extra file before library.json",
        "unknown setlist item",
        "no library.json",
        "library.json not JSON",
        "unknown format_version",
        "a score without a title",
        "a file given twice",
        "an entry twice",
        "setlists.json not valid",
    ],
)
@pytest.mark.filterwarnings("ignore:Duplicate name")  # zipfile's, for "an entry twice"
async def test_a_library_json_that_lies_is_refused(kind: str):
    target = MemoryTarget()

    problem = await refused(zip_bytes(_lying(kind)), target)

    assert problem.problem is ArchiveProblem.INCONSISTENT, problem.detail
    # Whatever was still being written is dropped; what was finished is the caller's to delete.
    assert set(target.objects) <= {target.key(n) for n in target.opened}


async def test_a_wrong_hash_is_refused_as_soon_as_the_pdf_is_read():
    air, gigue = pdf("air"), pdf("gigue")
    air_entry, gigue_entry = library_entry("Air", air), library_entry("Gigue", gigue)
    air_entry["content_hash"] = sha(b"else")
    target = MemoryTarget()

    await refused(zip_bytes(exported([(air_entry, air), (gigue_entry, gigue)])), target)

    assert target.opened == [1]  # Gigue was never read
    assert target.objects == {}


# --- refused: not a ZIP ------------------------------------------------------------------------


def _corrupt_stored_member() -> bytes:
    air = pdf("air", 5000)
    archive = zip_bytes(exported([(library_entry("Air", air), air)]), zipfile.ZIP_STORED)
    at = archive.index(air) + 2000
    return archive[:at] + bytes([archive[at] ^ 0xFF]) + archive[at + 1 :]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7 a PDF, not an archive",
        b"PK\x03\x04" + b"\x00" * 10,
        zip_bytes([("library.json", library_json([]))])[:40],
        _corrupt_stored_member(),
    ],
    ids=["empty", "a pdf", "a header cut short", "truncated", "checksum wrong"],
)
async def test_what_is_not_a_zip_archive_is_refused(data: bytes):
    problem = await refused(data)

    assert problem.problem is ArchiveProblem.INVALID


async def test_an_encrypted_archive_is_refused():
    air = pdf("air")
    entry = library_entry("Air", air)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    archive = stream_zip(
        [
            ("library.json", moment, 0o600, ZIP_64, [library_json([entry])]),
            (entry["file"], moment, 0o600, NO_COMPRESSION_64, [air]),
        ],
        password="secret",
    )

    problem = await refused(archive)

    assert problem.problem is ArchiveProblem.INVALID
    assert "encrypted" in problem.detail


# --- refused: over the quota -------------------------------------------------------------------


async def test_new_scores_over_the_free_quota_are_refused():
    a, b = pdf("a", 6000), pdf("b", 6000)
    target = MemoryTarget()

    problem = await refused(
        zip_bytes(exported([(library_entry("A", a), a), (library_entry("B", b), b)])),
        target,
        free_bytes=10_000,
    )

    assert problem.problem is ArchiveProblem.QUOTA_EXCEEDED
    assert target.opened == [1, 2]
    assert target.key(2) not in target.objects  # stopped while B streamed


async def test_new_scores_that_fit_the_free_quota_exactly_are_accepted():
    a = pdf("a", 6000)

    checked = await check(zip_bytes(exported([(library_entry("A", a), a)])), free_bytes=6000)

    assert checked.new_bytes == 6000


async def test_progress_is_told_every_few_bytes_read():
    data = [pdf(str(n), 200_000) + bytes(range(256)) * 400 for n in range(4)]
    target = MemoryTarget()
    archive = zip_bytes(
        exported([(library_entry(str(n), d), d) for n, d in enumerate(data)]), zipfile.ZIP_STORED
    )

    await check(archive, target, progress_bytes=256 * 1024)

    assert len(target.progressed) >= 3
    assert target.progressed == sorted(target.progressed)
    assert target.progressed[-1] == len(archive)
