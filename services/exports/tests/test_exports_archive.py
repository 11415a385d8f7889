"""The archive builder without storage: members and bytes checked with Python's zipfile, the parts
it cuts, the checks of each original as it streams, and its memory (tracemalloc) on an archive far
larger than a part. The originals come from a byte source in memory (an async iterator of chunks,
as storage gives them); building on SeaweedFS itself is the stack tests' (tests/exports)."""

import hashlib
import io
import json
import random
import tracemalloc
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from scoremate_exports.exports.archive import (
    InvalidPart,
    OriginalChanged,
    OriginalVanished,
    PackedPdf,
    Snapshot,
    build_archive,
    snapshot_of,
)
from scoremate_shared.storage import ObjectMissing

AS_OF = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)
MIB = 1024 * 1024
PART = 5 * MIB


def pdf(n: int, size: int = 3000) -> bytes:
    return b"%PDF-1.4\n" + hashlib.shake_256(f"score {n}".encode()).digest(size)


def document(value: Any) -> bytes:
    """JSON as the contributors write it (scoremate_shared.export_parts.part_json)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


def library(scores: list[dict[str, Any]]) -> bytes:
    return document({"format_version": 1, "as_of": AS_OF.isoformat(), "scores": scores})


def score_entry(score_id: uuid.UUID, title: str, data: bytes | None) -> dict[str, Any]:
    return {
        "id": str(score_id),
        "title": title,
        "tags": ["concert"],
        "note": "Ünïcode ✓",
        "size_bytes": len(data) if data is not None else 10,
        "content_hash": hashlib.sha256(data).hexdigest() if data is not None else None,
        "file": f"scores/{title} - {str(score_id)[:8]}.pdf" if data is not None else None,
    }


SETLISTS = document({"format_version": 1, "as_of": AS_OF.isoformat(), "setlists": [{"id": "s", "items": []}]})
PROFILE = document({"id": "u", "email": "ada@example.com"})
BILLING = document({"plan": "pro", "history": []})


class Originals:
    """Originals by score id, streamed in chunks as storage would stream them."""

    def __init__(self, chunk_bytes: int = 1000) -> None:
        self.data: dict[uuid.UUID, bytes] = {}
        self.chunk_bytes = chunk_bytes

    async def open(self, packed: PackedPdf) -> AsyncIterator[bytes]:
        if packed.score_id not in self.data:
            raise ObjectMissing(str(packed.score_id))
        data = self.data[packed.score_id]
        for start in range(0, len(data), self.chunk_bytes):
            yield data[start : start + self.chunk_bytes]


class Parts:
    def __init__(self) -> None:
        self.parts: list[tuple[int, bytes]] = []
        self.progress: list[int] = []

    async def write(self, number: int, data: bytes) -> None:
        self.parts.append((number, data))

    async def on_part(self, scores_packed: int) -> None:
        self.progress.append(scores_packed)

    def archive(self) -> bytes:
        return b"".join(data for _, data in self.parts)


async def build(snapshot: Snapshot, originals: Originals, parts: Parts, part_bytes: int = PART):
    return await build_archive(
        snapshot, originals.open, parts.write, part_bytes=part_bytes, deflate_level=1, on_part=parts.on_part
    )


async def test_the_archive_holds_exactly_the_documents_then_every_original_byte_for_byte():
    originals = Originals()
    ids = [uuid.uuid4() for _ in range(4)]
    for n, score_id in enumerate(ids[:3]):
        originals.data[score_id] = pdf(n)
    entries = [
        score_entry(ids[0], "Clair de lune", originals.data[ids[0]]),
        score_entry(ids[1], "Prélude (BWV 846)", originals.data[ids[1]]),
        score_entry(ids[2], "Gymnopédie", originals.data[ids[2]]),
        score_entry(ids[3], "Never uploaded", None),
    ]
    library_json = library(entries)
    snapshot = snapshot_of(library_json, SETLISTS, PROFILE, BILLING)
    assert (snapshot.scores, snapshot.setlists, len(snapshot.pdfs)) == (4, 1, 3)

    parts = Parts()
    built = await build(snapshot, originals, parts)

    archive = parts.archive()
    assert built.size_bytes == len(archive)
    assert [number for number, _ in parts.parts] == [1]  # a small archive is one (last) part
    assert built.scores_packed == 4  # the score without a file is wholly in library.json
    assert parts.progress == [4]
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.testzip() is None  # every member's CRC-32 holds
        assert zipped.namelist() == [
            "README.md",
            "library.json",
            "setlists.json",
            "account.json",
            *(entry["file"] for entry in entries[:3]),
        ]
        assert zipped.read("library.json") == library_json  # exactly as the library wrote it
        assert zipped.read("setlists.json") == SETLISTS
        assert json.loads(zipped.read("account.json")) == {
            "format_version": 1,
            "profile": json.loads(PROFILE),
            "billing": json.loads(BILLING),
        }
        for entry, score_id in zip(entries[:3], ids, strict=False):
            assert zipped.read(entry["file"]) == originals.data[score_id]
        readme = zipped.read("README.md").decode()
        assert "format_version: 1" in readme
        assert "as_of: 2026-03-14T09:26:53.589000Z" in readme
        assert "POST /imports" in readme
        assert {info.compress_type for info in zipped.infolist()} == {zipfile.ZIP_DEFLATED}


async def test_the_same_snapshot_gives_the_same_bytes():
    """A build started over writes exactly what the one it replaced would have."""
    originals = Originals()
    score_id = uuid.uuid4()
    originals.data[score_id] = pdf(1)
    snapshot = snapshot_of(library([score_entry(score_id, "A", pdf(1))]), SETLISTS, PROFILE, BILLING)
    first, second = Parts(), Parts()
    await build(snapshot, originals, first)
    await build(snapshot, originals, second)
    assert first.archive() == second.archive()


async def test_parts_are_exactly_the_part_size_but_the_last():
    originals = Originals(chunk_bytes=MIB)
    ids = [uuid.uuid4() for _ in range(2)]
    # Bytes that do not compress: the archive is as large as its originals.
    for n, score_id in enumerate(ids):
        originals.data[score_id] = b"%PDF-1.7\n" + random.Random(n).randbytes(6 * MIB)
    entries = [score_entry(score_id, f"Big {n}", originals.data[score_id]) for n, score_id in enumerate(ids)]
    parts = Parts()
    built = await build(snapshot_of(library(entries), SETLISTS, PROFILE, BILLING), originals, parts)

    assert [number for number, _ in parts.parts] == [1, 2, 3]
    assert [len(data) for _, data in parts.parts[:-1]] == [PART, PART]
    assert 0 < len(parts.parts[-1][1]) <= PART
    assert built.size_bytes == sum(len(data) for _, data in parts.parts) > 12 * MIB
    assert parts.progress == sorted(parts.progress)
    assert parts.progress[-1] == 2
    with zipfile.ZipFile(io.BytesIO(parts.archive())) as zipped:
        for entry, score_id in zip(entries, ids, strict=True):
            assert zipped.read(entry["file"]) == originals.data[score_id]


async def test_a_vanished_original_is_named():
    originals = Originals()
    kept, gone = uuid.uuid4(), uuid.uuid4()
    originals.data[kept] = pdf(1)
    snapshot = snapshot_of(
        library([score_entry(kept, "Kept", pdf(1)), score_entry(gone, "Deleted since", pdf(2))]),
        SETLISTS,
        PROFILE,
        BILLING,
    )
    with pytest.raises(OriginalVanished) as raised:
        await build(snapshot, originals, Parts())
    assert raised.value.score_id == gone


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        (pdf(1)[:-1] + b"X", "does not match its SHA-256"),
        (pdf(1) + b"more", "larger than library.json says"),
        (pdf(1)[:-10], "not the 3009 listed"),
    ],
)
async def test_an_original_that_is_not_what_library_json_says_is_refused(stored: bytes, why: str):
    originals = Originals()
    score_id = uuid.uuid4()
    originals.data[score_id] = stored
    snapshot = snapshot_of(library([score_entry(score_id, "A", pdf(1))]), SETLISTS, PROFILE, BILLING)
    with pytest.raises(OriginalChanged, match=why):
        await build(snapshot, originals, Parts())


def _with(**changes: Any) -> dict[str, Any]:
    data = pdf(1)
    return {**score_entry(uuid.uuid4(), "A", data), **changes}


@pytest.mark.parametrize(
    "scores",
    [
        [_with(file="../escape.pdf")],
        [_with(file="scores/../escape.pdf")],
        [_with(file="scores/inner/escape.pdf")],
        [_with(file="scores\\escape.pdf")],
        [_with(file="scores/C:escape.pdf")],
        [_with(file="scores/.pdf")],
        [_with(file="scores/not-a-pdf.txt")],
        [_with(file="scores/line\nbreak.pdf")],
        [_with(file="scores/same.pdf"), _with(file="scores/same.pdf")],
        [_with(content_hash=None)],
        [_with(content_hash="ABC")],
        [_with(size_bytes=None)],
    ],
)
def test_a_library_part_the_archive_cannot_be_made_of_is_refused(scores: list[dict[str, Any]]):
    with pytest.raises(InvalidPart):
        snapshot_of(library(scores), SETLISTS, PROFILE, BILLING)


@pytest.mark.parametrize(
    ("library_json", "setlists", "profile"),
    [
        (b"not json", SETLISTS, PROFILE),
        (document({"format_version": 2, "as_of": AS_OF.isoformat(), "scores": []}), SETLISTS, PROFILE),
        (library([]), document({"format_version": 1}), PROFILE),
        (library([]), SETLISTS, b"[1, 2]"),
        (library([]), SETLISTS, b"{"),
    ],
)
def test_part_files_that_are_not_the_documented_json_are_refused(
    library_json: bytes, setlists: bytes, profile: bytes
):
    with pytest.raises(InvalidPart):
        snapshot_of(library_json, setlists, profile, BILLING)


def _generated(seed: int, chunks: int) -> Iterator[bytes]:
    """A member's bytes made up as they are read: nothing of it is kept."""
    rng = random.Random(seed)
    yield b"%PDF-1.7\n"
    for _ in range(chunks):
        yield rng.randbytes(MIB)


async def test_memory_stays_at_about_one_part_whatever_the_archive_size():
    members, chunks = 4, 30  # 4 x 30 MiB of bytes that do not compress: a 120 MiB archive
    entries = []
    for n in range(members):
        digest, size = hashlib.sha256(), 0
        for chunk in _generated(n, chunks):
            digest.update(chunk)
            size += len(chunk)
        entries.append(
            {
                **score_entry(uuid.uuid4(), f"Large {n}", b""),
                "size_bytes": size,
                "content_hash": digest.hexdigest(),
            }
        )
    snapshot = snapshot_of(library(entries), SETLISTS, PROFILE, BILLING)
    seeds = {uuid.UUID(entry["id"]): n for n, entry in enumerate(entries)}

    async def generated(packed: PackedPdf) -> AsyncIterator[bytes]:
        for chunk in _generated(seeds[packed.score_id], chunks):
            yield chunk

    sizes: list[int] = []

    async def discard(number: int, data: bytes) -> None:
        sizes.append(len(data))

    tracemalloc.start()
    try:
        built = await build_archive(snapshot, generated, discard, part_bytes=PART, deflate_level=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert built.size_bytes == sum(sizes) > members * chunks * MIB
    assert built.scores_packed == members
    # Two parts at the moment one is joined, plus stream-zip's chunks (13.4 MiB measured): never
    # the archive (120 MiB), nor a member (30 MiB).
    assert peak < 4 * PART, f"peak {peak / MIB:.1f} MiB for parts of {PART / MIB:.0f} MiB"
