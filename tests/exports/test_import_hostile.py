"""Hostile archives are refused with a clear problem, and nothing of them is kept."""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

import pytest

from tests.exports.archives import all_items, import_archive, sha256, zip_of
from tests.support import CORPUS, ApiClient, corpus_manifest, list_objects

pytestmark = pytest.mark.stack

PDF = corpus_manifest()["bach_chorale-bwv1-6.pdf"].path.read_bytes()
PNG = (CORPUS / "bad" / "png-image-named.pdf").read_bytes()


def _library(files: dict[str, bytes], hashes: dict[str, str] | None = None) -> bytes:
    """A library.json listing `files` (archive name -> bytes), with their true hashes unless told."""
    scores = []
    for n, (name, data) in enumerate(files.items()):
        scores.append(
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "title": f"Score {n}",
                "composer": None,
                "instrumentation": None,
                "tags": [],
                "note": None,
                "status": "ready",
                "error": None,
                "pages": 1,
                "page_sizes": [[595.0, 842.0]],
                "size_bytes": len(data),
                "mime": "application/pdf",
                "content_hash": (hashes or {}).get(name, sha256(data)),
                "filled_from_pdf": [],
                "created_at": "2026-11-01T10:00:00Z",
                "updated_at": "2026-11-01T10:00:00Z",
                "file": name,
            }
        )
    return json.dumps({"format_version": 1, "as_of": "2026-11-01T10:00:00Z", "scores": scores}).encode()


def _archive(files: dict[str, bytes], library: bytes | None = None) -> bytes:
    setlists = json.dumps({"format_version": 1, "as_of": "2026-11-01T10:00:00Z", "setlists": []}).encode()
    return zip_of(
        [
            ("README.md", b"ScoreMate export"),
            ("library.json", library if library is not None else _library(files)),
            ("setlists.json", setlists),
            *files.items(),
        ]
    )


def _zip_bomb() -> bytes:
    """A PDF header and 300 MB of zeros, deflated to a few hundred KB (listed with its true hash)."""
    header, zeros = b"%PDF-1.4\n", 300 * 1024 * 1024
    digest = hashlib.sha256(header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("scores/bomb.pdf", "w", force_zip64=True) as member:
            member.write(header)
            chunk = bytes(1024 * 1024)
            for _ in range(zeros // len(chunk)):
                member.write(chunk)
                digest.update(chunk)
        entry = {"scores/bomb.pdf": b""}
        library = json.loads(_library(entry))
        library["scores"][0].update(size_bytes=len(header) + zeros, content_hash=digest.hexdigest())
        archive.writestr("library.json", json.dumps(library))
    return buffer.getvalue()


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "zip bomb": (_zip_bomb, "archive-too-large"),
    "path traversal": (lambda: _archive({"../../etc/evil.pdf": PDF}), "archive-unsafe-path"),
    "traversal inside scores/": (lambda: _archive({"scores/../../evil.pdf": PDF}), "archive-unsafe-path"),
    "absolute path": (lambda: _archive({"/tmp/evil.pdf": PDF}), "archive-unsafe-path"),
    "not a PDF inside": (lambda: _archive({"scores/picture.pdf": PNG}), "archive-not-pdf"),
    "library.json lies about a hash": (
        lambda: _archive({"scores/a.pdf": PDF}, _library({"scores/a.pdf": PDF}, {"scores/a.pdf": "0" * 64})),
        "archive-inconsistent",
    ),
    "library.json lists a file that is not there": (
        lambda: _archive({"scores/a.pdf": PDF}, _library({"scores/a.pdf": PDF, "scores/b.pdf": PDF + b"\n"})),
        "archive-inconsistent",
    ),
    "a PDF library.json does not list": (
        lambda: _archive({"scores/a.pdf": PDF, "scores/b.pdf": PDF + b"\n"}, _library({"scores/a.pdf": PDF})),
        "archive-inconsistent",
    ),
    "no library.json": (lambda: zip_of([("scores/a.pdf", PDF)]), "archive-inconsistent"),
    "not a ZIP at all": (lambda: PDF, "archive-invalid"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
async def test_a_hostile_archive_is_refused_and_leaves_nothing(api: ApiClient, stack, case: str):
    make, slug = HOSTILE[case]
    user = await api.register()
    refused = await import_archive(api, user, make())
    assert refused["status"] == "refused", refused
    assert refused["problem"]["type"].endswith(slug), refused["problem"]
    assert refused["problem"]["detail"]
    assert refused["report"] is None or refused["report"].get("scores_imported", 0) == 0
    # Nothing of it anywhere: no score, no setlist, no byte counted, no object kept.
    assert await all_items(api, user, "/scores") == []
    assert await all_items(api, user, "/setlists") == []
    usage = (await api.http.get("/billing/usage", headers=user.headers)).json()
    assert usage["used_bytes"] == 0
    for prefix in (f"imports/{user.id}/", f"imports/staging/{user.id}/", f"{user.id}/"):
        assert await list_objects(stack, prefix) == [], prefix
