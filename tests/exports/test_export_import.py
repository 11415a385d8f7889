"""A whole library leaves as one archive and comes back: the export matches the library exactly,
an import into a fresh account reproduces it, and importing it again skips every duplicate."""

import asyncio
import io
import json
import zipfile
from datetime import datetime
from typing import Any

import pytest

from tests.exports.archives import (
    all_items,
    download,
    export_library,
    import_archive,
    pro_user,
    sha256,
    upload_when_allowed,
    variant,
)
from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack

LIBRARY_SIZE = 25
# What the archive's library.json repeats of each score exactly as GET /scores shows it.
SCORE_FIELDS = (
    "title",
    "composer",
    "instrumentation",
    "tags",
    "note",
    "status",
    "error",
    "pages",
    "page_sizes",
    "size_bytes",
    "mime",
    "content_hash",
)
# What an import brings back (the rest is the new account's: ids, times, the processing's outcome).
IMPORTED_FIELDS = (
    "title",
    "composer",
    "instrumentation",
    "tags",
    "note",
    "pages",
    "page_sizes",
    "size_bytes",
)


def _library_pdfs() -> list[tuple[str, bytes]]:
    """The corpus (22 scores) and three variants of corpus scores: 25 distinct PDFs."""
    files = sorted(corpus_manifest().values(), key=lambda f: f.path.name)
    pdfs = [(f.path.stem, f.path.read_bytes()) for f in files]
    pdfs += [(f"{name} (copy {n})", variant(data, n)) for n, (name, data) in enumerate(pdfs[:3], start=1)]
    assert len(pdfs) == LIBRARY_SIZE
    return pdfs


def _fields(n: int, name: str) -> dict[str, Any]:
    """Metadata of every kind, left out on some scores."""
    fields: dict[str, Any] = {"title": f"{name.replace('_', ' ').title()} ({n})"}
    if n % 2 == 0:
        fields["composer"] = name.split("_")[0].title()
    if n % 3 == 0:
        fields["instrumentation"] = "String quartet" if "quartet" in name else "Piano"
    if n % 4 != 1:
        fields["tags"] = sorted({"concert", f"group-{n % 3}", *(["baroque"] if "bach" in name else [])})
    if n % 5 == 0:
        fields["note"] = f"Take the repeat; breathe before bar {n + 8}. Ünïcode ✓"
    return fields


async def _library(api: ApiClient, user: User) -> list[dict[str, Any]]:
    """Every score of the user once each is ready (or failed)."""
    scores = await all_items(api, user, "/scores")
    return list(await asyncio.gather(*(api.wait_for_score(user, s["id"], timeout=180) for s in scores)))


async def _setlist(
    api: ApiClient, user: User, title: str, description: str | None, score_ids: list[str]
) -> dict:
    created = await api.http.post(
        "/setlists", headers=user.headers, json={"title": title, "description": description}
    )
    assert created.status_code == 201, created.text
    items = await api.http.post(
        f"/setlists/{created.json()['id']}/items", headers=user.headers, json={"score_ids": score_ids}
    )
    assert items.status_code == 200, items.text
    body: dict[str, Any] = items.json()
    return body


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_library_exports_exactly_and_imports_into_a_fresh_account_then_skips_duplicates(
    api: ApiClient,
):
    owner, newcomer = await pro_user(api), await pro_user(api)
    for n, (name, data) in enumerate(_library_pdfs()):
        await upload_when_allowed(api, owner, data, **_fields(n, name))
    library = await _library(api, owner)
    assert [s["status"] for s in library] == ["ready"] * LIBRARY_SIZE
    ids = [s["id"] for s in sorted(library, key=lambda s: s["title"])]
    # A repeat in the first setlist, and an order that is not the upload order in both.
    concert = await _setlist(api, owner, "Spring concert", "Encore last", [ids[3], ids[0], ids[7], ids[3]])
    rehearsal = await _setlist(api, owner, "Rehearsal", None, [ids[14], ids[10], ids[12], ids[11], ids[13]])

    export = await export_library(api, owner)
    assert export["status"] == "completed", export
    assert export["scores"] == LIBRARY_SIZE
    assert export["setlists"] == 2
    assert export["download_url"]
    archive = await download(export["download_url"])
    assert export["size_bytes"] == len(archive)

    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        names = zipped.namelist()
        assert names[:4] == ["README.md", "library.json", "setlists.json", "account.json"]
        readme = zipped.read("README.md").decode()
        assert "format_version" in readme
        exported = json.loads(zipped.read("library.json"))
        assert exported["format_version"] == 1
        by_id = {s["id"]: s for s in library}
        assert sorted(s["id"] for s in exported["scores"]) == sorted(by_id)
        for score in exported["scores"]:
            current = by_id[score["id"]]
            assert {f: score[f] for f in SCORE_FIELDS} == {f: current[f] for f in SCORE_FIELDS}
            assert _when(score["created_at"]) == _when(current["created_at"])
            assert _when(score["updated_at"]) == _when(current["updated_at"])
            pdf = zipped.read(score["file"])
            assert sha256(pdf) == current["content_hash"]
            assert len(pdf) == current["size_bytes"]
        # Nothing else is in the archive: the four documents and one PDF per score.
        assert sorted(names[4:]) == sorted(s["file"] for s in exported["scores"])
        assert len(set(names)) == len(names)

        setlists = {s["id"]: s for s in json.loads(zipped.read("setlists.json"))["setlists"]}
        for expected in (concert, rehearsal):
            got = setlists.pop(expected["id"])
            assert (got["title"], got["description"]) == (expected["title"], expected["description"])
            assert [i["score_id"] for i in got["items"]] == [i["score_id"] for i in expected["items"]]
        assert setlists == {}

        account = json.loads(zipped.read("account.json"))
        assert account["profile"]["email"] == owner.email
        assert account["profile"]["id"] == owner.id
        assert account["billing"]["plan"] == "pro"
        assert "password" not in json.dumps(account).lower()

    # Into a fresh account: the same library, processed again there.
    imported = await import_archive(api, newcomer, archive)
    assert imported["status"] == "completed", imported
    assert imported["report"]["scores_imported"] == LIBRARY_SIZE
    assert imported["report"]["duplicates_skipped"] == []
    reproduced = await _library(api, newcomer)
    assert len(reproduced) == LIBRARY_SIZE
    by_hash = {s["content_hash"]: s for s in library}
    for score in reproduced:
        original = by_hash[score["content_hash"]]
        assert score["status"] == "ready", score
        assert {f: score[f] for f in IMPORTED_FIELDS} == {f: original[f] for f in IMPORTED_FIELDS}
    new_id_of = {by_hash[s["content_hash"]]["id"]: s["id"] for s in reproduced}
    their_setlists = {s["title"]: s for s in await all_items(api, newcomer, "/setlists")}
    assert sorted(their_setlists) == ["Rehearsal", "Spring concert"]
    for expected in (concert, rehearsal):
        got = their_setlists[expected["title"]]
        assert got["description"] == expected["description"]
        assert [i["score_id"] for i in got["items"]] == [new_id_of[i["score_id"]] for i in expected["items"]]

    # Again into the same account: every score is a duplicate, the setlists are already there.
    again = await import_archive(api, newcomer, archive)
    assert again["status"] == "completed", again
    assert again["report"]["scores_imported"] == 0
    skipped = again["report"]["duplicates_skipped"]
    assert sorted(d["content_hash"] for d in skipped) == sorted(by_hash)
    assert {d["existing_score_id"] for d in skipped} == {s["id"] for s in reproduced}
    await asyncio.sleep(1)  # anything the import would have created has had time to appear
    assert len(await all_items(api, newcomer, "/scores")) == LIBRARY_SIZE
    assert len(await all_items(api, newcomer, "/setlists")) == 2
