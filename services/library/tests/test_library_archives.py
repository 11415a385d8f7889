"""Whole-library archives in the library (issue 15), against its migrated schema: the export's part
is one consistent snapshot with readable names for the originals, and an import creates scores
and setlists as POST /scores and POST /setlists do."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.archives.documents import MAX_FILE_NAME_CHARS, ArchiveNames, safe_title
from scoremate_library.archives.service import ArchiveService
from scoremate_library.models import ClaimedUpload, Score, Setlist
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.schemas import SetlistCreate, SetlistItemsIn
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.events import (
    EventEnvelope,
    ExportRequestedV1,
    ImportedScore,
    ImportedSetlist,
    ImportFilesReservedV1,
    ScoreUploadedV1,
)
from scoremate_shared.messaging.tables import inbox_table
from scoremate_shared.storage import original_key
from scoremate_shared.testing import RecordedObjects

from .test_library_versions import published

CONSUMER = "library.export-requested"


def export_requested(user_id: uuid.UUID) -> ExportRequestedV1:
    export_id = uuid.uuid4()
    return ExportRequestedV1(
        export_id=export_id,
        user_id=user_id,
        attempt=1,
        parts_prefix=f"exports/{user_id}/{export_id}/1/parts/",
    )


def test_a_title_becomes_a_name_every_file_system_takes():
    assert safe_title("Clair de lune") == "Clair de lune"
    assert safe_title('Études: Op. 10/3 <"Tristesse">?') == "Études Op. 10 3 Tristesse"
    assert safe_title("..\\..\\etc/passwd") == "etc passwd"
    assert safe_title("Prélude *|* 乐谱") == "Prélude 乐谱"  # letters of every script
    assert safe_title("e\u0301") == "é"  # one spelling (NFC) whatever the source's


def test_each_original_gets_a_readable_distinct_name_of_bounded_length():
    names = ArchiveNames()
    first = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000001")
    twin = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000002")
    assert names.name("Clair de lune", first) == "scores/Clair de lune - 1a2b3c4d.pdf"
    # Same title, ids alike in 8 characters (and another case): the whole id keeps them apart.
    assert names.name("CLAIR DE LUNE", twin) == f"scores/CLAIR DE LUNE - {twin}.pdf"
    long = names.name("Sonata " * 40, uuid.uuid4())
    assert len(long.removeprefix("scores/")) <= MAX_FILE_NAME_CHARS
    assert long.startswith("scores/Sonata Sonata")
    assert (
        names.name("///", uuid.UUID("00000000-0000-4000-8000-000000000003")) == "scores/Score - 00000000.pdf"
    )


async def test_the_export_part_is_one_snapshot_whatever_commits_meanwhile(
    library_db: Database, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    kept, removed, unverified = new_score(user, "Air"), new_score(user, "Gigue"), new_score(user, "Bourrée")
    kept.tags, kept.note, kept.pages, kept.page_sizes = ["Baroque"], "Slow", 1, [[612, 792]]
    kept.uploaded_at = removed.uploaded_at = datetime.now(UTC)
    setlists = SetlistService()
    async with library_db.transaction() as session:
        session.add_all([kept, removed, unverified])
        await session.flush()
        setlist = await setlists.create(session, user, SetlistCreate(title="Tonight", description="7 pm"))
        await setlists.replace_items(
            session, user, setlist.id, SetlistItemsIn(score_ids=[removed.id, kept.id, removed.id])
        )

    class DeletingMeanwhile(RecordedObjects):
        """Storage that takes its time: a score is deleted (and leaves its setlist) while the
        part is written, between library.json and setlists.json."""

        async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
            await super().put_bytes(key, body, content_type)
            if key.endswith("library.json"):
                async with library_db.transaction() as other:
                    await other.execute(sa.delete(Score).where(Score.id == removed.id))

    sink = DeletingMeanwhile()
    archives = ArchiveService(sink, library_scores, setlists)
    event = export_requested(user.user_id)
    envelope = EventEnvelope.wrap(event, "exports")

    await archives.write_export_part(library_db, event, envelope, CONSUMER)

    library = sink.json(f"{event.parts_prefix}library.json")
    listed = sink.json(f"{event.parts_prefix}setlists.json")
    assert library["format_version"] == listed["format_version"] == 1
    assert library["as_of"] == listed["as_of"]
    scores = {s["title"]: s for s in library["scores"]}
    # Oldest first; created in one transaction (one now()), so by id.
    assert [s["id"] for s in library["scores"]] == sorted(str(s.id) for s in (kept, removed, unverified))
    assert scores["Air"] == {
        "id": str(kept.id),
        "title": "Air",
        "composer": None,
        "instrumentation": None,
        "tags": ["Baroque"],
        "note": "Slow",
        "status": "processing",
        "error": None,
        "pages": 1,
        "page_sizes": [[612.0, 792.0]],
        "size_bytes": 1000,
        "mime": "application/pdf",
        "content_hash": "0" * 64,
        "filled_from_pdf": [],
        "created_at": scores["Air"]["created_at"],
        "updated_at": scores["Air"]["updated_at"],
        "file": f"scores/Air - {str(kept.id)[:8]}.pdf",
    }
    assert scores["Bourrée"]["file"] is None  # its upload was never verified: no original to pack
    # The snapshot's setlist still names the score deleted after the snapshot began, as
    # library.json does: the archive is consistent as of `as_of`.
    [tonight] = listed["setlists"]
    assert (tonight["title"], tonight["description"]) == ("Tonight", "7 pm")
    assert tonight["items"] == [
        {"score_id": str(removed.id), "position": 0, "title": "Gigue"},
        {"score_id": str(kept.id), "position": 1, "title": "Air"},
        {"score_id": str(removed.id), "position": 2, "title": "Gigue"},
    ]
    assert {content_type for _, content_type in sink.objects.values()} == {"application/json"}
    async with library_db.session() as session:
        [written] = await published(session, "ExportPartWritten", export_id=str(event.export_id))
        as_of = await session.scalar(
            sa.select(inbox_table.c.handled_at).where(inbox_table.c.event_id == envelope.event_id)
        )
    assert written == {
        "export_id": str(event.export_id),
        "user_id": str(user.user_id),
        "attempt": 1,
        "part": "library",
        "keys": [f"{event.parts_prefix}library.json", f"{event.parts_prefix}setlists.json"],
    }
    assert as_of is not None
    assert datetime.fromisoformat(library["as_of"]) == as_of  # the transaction's now()

    # Once claimed, a redelivery writes nothing more.
    sink.objects.clear()
    await archives.write_export_part(library_db, event, envelope, CONSUMER)
    assert sink.objects == {}


async def test_a_verified_upload_marks_the_score_without_a_new_version(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    score = new_score(user)
    session.add(score)
    await session.flush()
    uploaded = ScoreUploadedV1(
        score_id=score.id,
        user_id=user.user_id,
        object_key="k",
        size_bytes=score.size_bytes,
        mime=score.mime,
        content_hash=score.content_hash,
    )
    await library_scores.attach_upload(session, uploaded)
    row = (
        await session.execute(sa.select(Score.uploaded_at, Score.version).where(Score.id == score.id))
    ).one()
    assert row.uploaded_at is not None
    assert row.version == 1
    assert await published(session, "ScoreChanged", score_id=str(score.id)) == []


def imported(n: int, **fields: Any) -> ImportedScore:
    score_id = uuid.uuid4()
    return ImportedScore(
        score_id=score_id,
        source_key=f"imports/u/i/scores/{n}.pdf",
        filename=f"score-{n}.pdf",
        size_bytes=1000 + n,
        content_hash=f"{n:064x}",
        **{"title": f"Score {n}", **fields},
    )


async def test_an_import_creates_scores_as_post_scores_does_and_setlists_in_order(
    session: AsyncSession, library_scores: ScoreService, new_score: Callable[..., Score]
):
    user = Principal(uuid.uuid4())
    existing = new_score(user, "Already mine")  # a duplicate skipped by the import: items name it
    session.add(existing)
    await session.flush()
    setlists = SetlistService()
    already = await setlists.create(session, user, SetlistCreate(title="Same"))
    await setlists.replace_items(session, user, already.id, SetlistItemsIn(score_ids=[existing.id]))
    first = imported(1, composer=" Bach ", tags=["baroque", "Baroque", " solo "], note="Bar 4\n  breathe")
    second = imported(2, title="   ")  # no title left: the file's name stands in
    left_out = uuid.uuid4()  # a score files did not reserve
    event = ImportFilesReservedV1(
        import_id=uuid.uuid4(),
        user_id=user.user_id,
        scores=[first, second],
        setlists=[
            ImportedSetlist(
                title="Concert",
                description="Encore last",
                score_ids=[second.score_id, left_out, first.score_id, second.score_id],
            ),
            ImportedSetlist(title="Same", score_ids=[existing.id]),  # equal to one the user has
            ImportedSetlist(title="Old favourite", score_ids=[existing.id]),
        ],
    )

    await ArchiveService(RecordedObjects(), library_scores, setlists).import_library(session, event)

    made = {s.id: s for s in await session.scalars(sa.select(Score).where(Score.user_id == user.user_id))}
    one, two = made[first.score_id], made[second.score_id]
    assert (one.title, one.composer, one.tags, one.tags_norm, one.note) == (
        "Score 1",
        "Bach",
        ["baroque", "solo"],
        ["baroque", "solo"],
        "Bar 4\n  breathe",
    )
    assert (two.title, two.status, two.size_bytes, two.content_hash) == (
        "score-2",
        "processing",
        1002,
        f"{2:064x}",
    )
    assert two.object_key == original_key(user.user_id, second.score_id)
    claimed = await session.scalars(sa.select(ClaimedUpload.score_id).where(ClaimedUpload.score_id.in_(made)))
    assert set(claimed.all()) == {first.score_id, second.score_id}
    # ScoreCreated (files verifies the extracted PDF) and the first ScoreChanged, as POST /scores.
    for score_id in (first.score_id, second.score_id):
        assert len(await published(session, "ScoreCreated", score_id=str(score_id))) == 1
        assert [c["version"] for c in await published(session, "ScoreChanged", score_id=str(score_id))] == [1]

    lists = (
        await session.scalars(
            sa.select(Setlist)
            .where(Setlist.user_id == user.user_id)
            .order_by(Setlist.created_at, Setlist.title)
        )
    ).all()
    assert sorted(s.title for s in lists) == ["Concert", "Old favourite", "Same"]  # "Same" once
    orders = {title: items for title, items in await setlists.orders(session, user.user_id)}
    assert orders["Concert"] == (second.score_id, first.score_id, second.score_id)  # left-out item dropped
    assert orders["Old favourite"] == (existing.id,)
    concert = next(s for s in lists if s.title == "Concert")
    assert concert.description == "Encore last"
    [changed] = await published(session, "SetlistChanged", setlist_id=str(concert.id))
    assert [i["score_id"] for i in changed["setlist"]["items"]] == [str(i) for i in orders["Concert"]]

    [done] = await published(session, "LibraryImported", import_id=str(event.import_id))
    assert done == {
        "import_id": str(event.import_id),
        "user_id": str(user.user_id),
        "score_ids": [str(first.score_id), str(second.score_id)],
        "setlists_created": 2,
        "setlists_skipped": 1,
    }


async def test_an_imported_score_whose_upload_was_claimed_already_is_not_made_twice(
    session: AsyncSession, library_scores: ScoreService
):
    user_id = uuid.uuid4()
    score = imported(1)
    session.add(ClaimedUpload(score_id=score.score_id))
    await session.flush()
    event = ImportFilesReservedV1(import_id=uuid.uuid4(), user_id=user_id, scores=[score], setlists=[])
    await ArchiveService(RecordedObjects(), library_scores, SetlistService()).import_library(session, event)
    assert await session.get(Score, score.score_id) is None
    [done] = await published(session, "LibraryImported", import_id=str(event.import_id))
    assert done["score_ids"] == []
