"""The import service on its migrated schema (the middle tier: no stack). The API and the handlers
of one transaction work in a transaction that is rolled back; the check, a flow of several
transactions, runs on rows of its own (random users), as in the service. Storage is kept in memory
here (the stack tests use the real one)."""

import hashlib
import io
import json
import random
import uuid
import zipfile
from collections.abc import AsyncGenerator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.imports.schemas import ImportIn
from scoremate_exports.imports.service import (
    ArchiveNotUploaded,
    ArchiveTooLarge,
    ImportNotFound,
    ImportService,
    archive_key,
    extracted_key,
    staging_archive_key,
)
from scoremate_exports.models import Import, ImportedScoreRow, ImportStatus, UserContent, UserQuota
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ImportArchiveUploadedV1,
    ImportRefusedV1,
    LibraryImportedV1,
    QuotaChangedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
)
from scoremate_shared.messaging.broker import Delivery, current_delivery
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.storage import ObjectMissing, ObjectStorage

MB = 1024 * 1024
PROBLEMS = "https://scoremate.app/problems/"


class MemoryStorage(ObjectStorage):
    """The calls the import service makes, on objects kept in memory (presigning is the real one)."""

    def __init__(self, settings: ExportsSettings) -> None:
        super().__init__(settings)
        self.objects: dict[str, bytes] = {}
        self.uploads: dict[str, tuple[str, dict[int, bytes]]] = {}
        self.part_sizes: list[list[int]] = []
        self.on_put: Any = None

    def under(self, prefix: str) -> list[str]:
        return sorted(key for key in self.objects if key.startswith(prefix))

    async def object_size(self, key: str) -> int | None:
        return len(self.objects[key]) if key in self.objects else None

    async def copy_object(self, source: str, target: str) -> None:
        self.objects[target] = self.objects[source]

    async def delete_keys(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    async def iter_object(self, key: str, chunk_bytes: int) -> AsyncGenerator[bytes, None]:
        if key not in self.objects:
            raise ObjectMissing(key)
        data = self.objects[key]
        for start in range(0, len(data), chunk_bytes):
            yield data[start : start + chunk_bytes]

    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        if self.on_put is not None:
            await self.on_put(key)
        self.objects[key] = body

    async def create_multipart(self, key: str, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = (key, {})
        return upload_id

    async def upload_part(self, key: str, upload_id: str, part_number: int, body: bytes) -> str:
        assert self.uploads[upload_id][0] == key
        self.uploads[upload_id][1][part_number] = body
        return f'"etag-{part_number}"'

    async def complete_multipart(self, key: str, upload_id: str, etags: list[str]) -> None:
        _, parts = self.uploads.pop(upload_id)
        assert etags == [f'"etag-{n}"' for n in range(1, len(parts) + 1)]
        sizes = [len(parts[n]) for n in sorted(parts)]
        assert all(size >= 5 * MB for size in sizes[:-1])
        assert sizes[-1] > 0
        self.part_sizes.append(sizes)
        self.objects[key] = b"".join(parts[n] for n in sorted(parts))

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        self.uploads.pop(upload_id, None)


@pytest.fixture
def storage(exports_settings: ExportsSettings) -> MemoryStorage:
    return MemoryStorage(exports_settings)


@pytest.fixture
def imports(exports_settings: ExportsSettings, storage: MemoryStorage) -> ImportService:
    return ImportService(exports_settings, storage)


# --- archives -----------------------------------------------------------------------------------


def pdf(text: str, size: int = 2000) -> bytes:
    body = b"%PDF-1.7\n% " + text.encode() + b"\n"
    return body + random.Random(text).randbytes(max(size - len(body), 0))


def entry(title: str, data: bytes) -> dict[str, Any]:
    score_id = str(uuid.uuid4())
    return {
        "id": score_id,
        "title": title,
        "composer": None,
        "instrumentation": None,
        "tags": ["t"],
        "note": None,
        "size_bytes": len(data),
        "content_hash": hashlib.sha256(data).hexdigest(),
        "file": f"scores/{title} - {score_id[:8]}.pdf",
    }


def archive(
    scores: Sequence[tuple[dict[str, Any], bytes]],
    setlists: Sequence[tuple[str, list[str]]] = (),
    extra: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    library = {"format_version": 1, "scores": [item for item, _ in scores]}
    setlist_doc = {
        "format_version": 1,
        "setlists": [
            {"title": title, "items": [{"score_id": i, "position": n} for n, i in enumerate(ids)]}
            for title, ids in setlists
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("library.json", json.dumps(library))
        zf.writestr("setlists.json", json.dumps(setlist_doc))
        for item, data in scores:
            zf.writestr(item["file"], data)
        for name, data in extra:
            zf.writestr(name, data)
    return buffer.getvalue()


# --- helpers ------------------------------------------------------------------------------------


async def uploaded(db: Database, imports: ImportService, storage: MemoryStorage, data: bytes) -> Import:
    """An import whose archive was PUT and started (committed): validating."""
    user_id = uuid.uuid4()
    async with db.transaction() as session:
        out = await imports.create(session, user_id, ImportIn(size_bytes=len(data)))
    storage.objects[staging_archive_key(user_id, out.id)] = data
    async with db.transaction() as session:
        await imports.start(session, user_id, out.id)
    return await row(db, out.id)


async def row(db: Database, import_id: uuid.UUID) -> Import:
    async with db.transaction() as session:
        found = await session.get(Import, import_id)
        assert found is not None
        return found


async def run(db: Database, imports: ImportService, imp: Import) -> Import:
    await imports.run_import(db, ImportArchiveUploadedV1(import_id=imp.id, user_id=imp.user_id))
    return await row(db, imp.id)


async def events(db: Database, import_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    async with db.transaction() as session:
        envelopes = await session.scalars(
            sa.select(outbox_table.c.envelope)
            .where(outbox_table.c.envelope["data"]["import_id"].astext == str(import_id))
            .order_by(outbox_table.c.id)
        )
        return [(envelope["type"], envelope["data"]) for envelope in envelopes]


async def scores_of(db: Database, import_id: uuid.UUID) -> dict[uuid.UUID, str]:
    async with db.transaction() as session:
        rows = await session.execute(
            sa.select(ImportedScoreRow.score_id, ImportedScoreRow.status).where(
                ImportedScoreRow.import_id == import_id
            )
        )
        return {score_id: status for score_id, status in rows.all()}


def stored(storage: MemoryStorage, imp: Import) -> list[str]:
    """Every object of the import left in storage."""
    return storage.under(f"imports/{imp.user_id}/") + storage.under(f"imports/staging/{imp.user_id}/")


# --- the API ------------------------------------------------------------------------------------


async def test_create_answers_an_upload_url_bound_to_the_archive_size(
    session: AsyncSession, imports: ImportService
):
    user_id = uuid.uuid4()

    out = await imports.create(session, user_id, ImportIn(size_bytes=1234))

    assert out.status == "awaiting_upload"
    assert out.upload is not None
    assert out.upload.headers == {"Content-Type": "application/zip", "Content-Length": "1234"}
    assert f"imports/staging/{user_id}/{out.id}.zip" in out.upload.url
    assert out.progress.bytes_total == 1234
    assert (out.report, out.problem, out.finished_at) == (None, None, None)
    saved = await session.get(Import, out.id)
    assert saved is not None
    assert saved.archive_key == f"imports/{user_id}/{out.id}/archive.zip"


async def test_an_archive_above_the_limit_is_refused_at_once(
    session: AsyncSession, imports: ImportService, exports_settings: ExportsSettings
):
    with pytest.raises(ArchiveTooLarge) as refused:
        await imports.create(
            session, uuid.uuid4(), ImportIn(size_bytes=exports_settings.import_max_archive_bytes + 1)
        )

    assert refused.value.status == 413


async def test_start_needs_the_archive_of_the_announced_size(
    session: AsyncSession, imports: ImportService, storage: MemoryStorage
):
    user_id = uuid.uuid4()
    out = await imports.create(session, user_id, ImportIn(size_bytes=10))
    staging = staging_archive_key(user_id, out.id)

    with pytest.raises(ArchiveNotUploaded, match="not uploaded"):
        await imports.start(session, user_id, out.id)
    storage.objects[staging] = b"123"
    with pytest.raises(ArchiveNotUploaded, match="3 bytes"):
        await imports.start(session, user_id, out.id)
    storage.objects[staging] = b"0123456789"

    started = await imports.start(session, user_id, out.id)
    again = await imports.start(session, user_id, out.id)

    assert started.status == again.status == "validating"
    assert started.upload is None
    assert storage.objects[archive_key(user_id, out.id)] == b"0123456789"
    envelopes = await session.scalars(
        sa.select(outbox_table.c.envelope).where(
            outbox_table.c.envelope["data"]["import_id"].astext == str(out.id)
        )
    )
    assert [(e["type"], e["data"]["user_id"]) for e in envelopes] == [("ImportArchiveUploaded", str(user_id))]


async def test_another_users_import_is_not_found(session: AsyncSession, imports: ImportService):
    out = await imports.create(session, uuid.uuid4(), ImportIn(size_bytes=10))

    with pytest.raises(ImportNotFound):
        await imports.get(session, uuid.uuid4(), out.id)
    with pytest.raises(ImportNotFound):
        await imports.start(session, uuid.uuid4(), out.id)


async def test_the_list_is_the_users_own_newest_first(session: AsyncSession, imports: ImportService):
    user_id = uuid.uuid4()
    first = await imports.create(session, user_id, ImportIn(size_bytes=10))
    await session.execute(
        sa.update(Import).where(Import.id == first.id).values(created_at=sa.func.now() - timedelta(minutes=1))
    )
    second = await imports.create(session, user_id, ImportIn(size_bytes=20))
    await imports.create(session, uuid.uuid4(), ImportIn(size_bytes=30))

    page = await imports.list(session, user_id, 1, 1)
    rest = await imports.list(session, user_id, 2, 1)

    assert (page.total, [item.id for item in page.items], [item.id for item in rest.items]) == (
        2,
        [second.id],
        [first.id],
    )


async def test_the_upload_url_is_not_renewed_past_its_expiry(session: AsyncSession, imports: ImportService):
    user_id = uuid.uuid4()
    out = await imports.create(session, user_id, ImportIn(size_bytes=10))
    assert out.upload is not None

    again = await imports.get(session, user_id, out.id)
    assert again.upload is not None
    assert again.upload.expires_at <= out.upload.expires_at + timedelta(seconds=1)
    await session.execute(
        sa.update(Import)
        .where(Import.id == out.id)
        .values(upload_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.expire_all()

    assert (await imports.get(session, user_id, out.id)).upload is None


# --- the check --------------------------------------------------------------------------------


async def test_an_accepted_archive_hands_its_scores_and_setlists_on(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    air, gigue = pdf("air"), pdf("gigue")
    air_entry, gigue_entry = entry("Air", air), entry("Gigue", gigue)
    data = archive([(air_entry, air), (gigue_entry, gigue)], [("Set", [gigue_entry["id"], air_entry["id"]])])
    imp = await uploaded(exports_db, imports, storage, data)

    done = await run(exports_db, imports, imp)

    assert done.status == ImportStatus.IMPORTING
    assert (done.bytes_read, done.scores_total) == (len(data), 2)
    assert done.report == {
        "scores_imported": 2,
        "duplicates_skipped": [],
        "setlists": 1,
        "scores_without_file": 0,
        "scores_skipped": 0,
        "setlists_created": None,
        "setlists_skipped": None,
    }
    [(_, accepted)] = [event for event in await events(exports_db, imp.id) if event[0] == "ImportAccepted"]
    assert [score["title"] for score in accepted["scores"]] == ["Air", "Gigue"]
    ids = [uuid.UUID(score["score_id"]) for score in accepted["scores"]]
    assert accepted["setlists"] == [
        {"title": "Set", "description": None, "score_ids": [str(ids[1]), str(ids[0])]}
    ]
    # The PDFs wait where files copies them from; the archive and its staging copy are gone.
    assert stored(storage, imp) == sorted(score["source_key"] for score in accepted["scores"])
    assert storage.objects[accepted["scores"][0]["source_key"]] == air
    assert await scores_of(exports_db, imp.id) == {score_id: "pending" for score_id in ids}

    # A second delivery finds it accepted: nothing again.
    await run(exports_db, imports, imp)
    assert [kind for kind, _ in await events(exports_db, imp.id)] == [
        "ImportArchiveUploaded",
        "ImportAccepted",
    ]


async def test_a_refused_archive_keeps_its_problem_and_leaves_nothing_behind(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    air, gigue = pdf("air"), pdf("gigue")
    lying = entry("Gigue", gigue)
    lying["content_hash"] = "0" * 64
    # Air is extracted before the lie is found.
    imp = await uploaded(exports_db, imports, storage, archive([(entry("Air", air), air), (lying, gigue)]))

    done = await run(exports_db, imports, imp)

    assert done.status == ImportStatus.REFUSED
    assert done.problem is not None
    assert done.problem["type"] == PROBLEMS + "archive-inconsistent"
    assert "SHA-256" in done.problem["detail"]
    assert done.finished_at is not None
    assert done.objects_written == 2
    assert stored(storage, imp) == []
    assert [kind for kind, _ in await events(exports_db, imp.id)] == ["ImportArchiveUploaded"]
    assert await scores_of(exports_db, imp.id) == {}


@pytest.mark.parametrize(
    ("data", "slug"),
    [
        (b"not a zip at all", "archive-invalid"),
        (archive([], extra=[("../evil.pdf", pdf("evil"))]), "archive-unsafe-path"),
        (archive([(entry("Image", b"GIF89a"), b"GIF89a")]), "archive-not-pdf"),
    ],
)
async def test_each_hostile_archive_is_refused_with_its_problem(
    exports_db: Database, imports: ImportService, storage: MemoryStorage, data: bytes, slug: str
):
    imp = await uploaded(exports_db, imports, storage, data)

    done = await run(exports_db, imports, imp)

    assert (done.status, done.problem and done.problem["type"]) == (ImportStatus.REFUSED, PROBLEMS + slug)
    assert stored(storage, imp) == []


async def test_the_quota_and_the_users_contents_are_checked(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    owned, new = pdf("owned", 3000), pdf("new", 3000)
    owned_entry, new_entry = entry("Owned", owned), entry("New", new)
    data = archive([(owned_entry, owned), (new_entry, new)], [("Set", [owned_entry["id"], new_entry["id"]])])
    imp = await uploaded(exports_db, imports, storage, data)
    existing_id = uuid.uuid4()
    async with exports_db.transaction() as session:
        await imports.apply_quota(session, quota(imp.user_id, total=10_000, used=8_000))
        await imports.score_stored(session, score_uploaded(imp.user_id, existing_id, owned))

    refused = await run(exports_db, imports, imp)

    assert refused.problem is not None
    assert refused.problem["type"] == PROBLEMS + "quota-exceeded"
    assert stored(storage, imp) == []

    # With room for the new score (the owned one is a duplicate: it needs none).
    again = await uploaded(exports_db, imports, storage, data)
    async with exports_db.transaction() as session:
        await imports.apply_quota(session, quota(again.user_id, total=10_000, used=7_000))
        await imports.score_stored(session, score_uploaded(again.user_id, existing_id, owned))

    done = await run(exports_db, imports, again)

    assert done.status == ImportStatus.IMPORTING
    assert done.report is not None
    assert done.report["duplicates_skipped"] == [
        {
            "title": "Owned",
            "content_hash": hashlib.sha256(owned).hexdigest(),
            "existing_score_id": str(existing_id),
        }
    ]
    [accepted] = [data for kind, data in await events(exports_db, again.id) if kind == "ImportAccepted"]
    [new_score] = accepted["scores"]
    assert accepted["setlists"][0]["score_ids"] == [str(existing_id), new_score["score_id"]]


async def test_a_large_pdf_goes_to_storage_in_parts(
    exports_db: Database, exports_settings: ExportsSettings, storage: MemoryStorage
):
    imports = ImportService(exports_settings.model_copy(update={"import_part_bytes": 5 * MB}), storage)
    big = pdf("big", 12 * MB)
    imp = await uploaded(exports_db, imports, storage, archive([(entry("Big", big), big)]))

    done = await run(exports_db, imports, imp)

    assert done.status == ImportStatus.IMPORTING
    assert storage.part_sizes == [[5 * MB, 5 * MB, 2 * MB]]
    assert storage.objects[extracted_key(imp.user_id, imp.id, 1)] == big
    assert storage.uploads == {}


async def test_a_run_overtaken_by_a_redelivery_stops_and_the_new_run_starts_clean(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    a, b = pdf("a"), pdf("b")
    imp = await uploaded(exports_db, imports, storage, archive([(entry("A", a), a), (entry("B", b), b)]))

    async def redelivered(key: str) -> None:
        storage.on_put = None
        # What a second delivery's start does to the row while this run streams.
        async with exports_db.transaction() as session:
            await session.execute(sa.update(Import).where(Import.id == imp.id).values(runs=Import.runs + 1))

    storage.on_put = redelivered
    overtaken = await run(exports_db, imports, imp)

    assert overtaken.status == ImportStatus.VALIDATING
    assert storage.under(f"imports/{imp.user_id}/{imp.id}/scores/") == []  # its own object went
    assert [kind for kind, _ in await events(exports_db, imp.id)] == ["ImportArchiveUploaded"]

    done = await run(exports_db, imports, imp)

    assert done.status == ImportStatus.IMPORTING
    # Numbered after the overtaken run's object (1): it can never delete these.
    assert storage.under(f"imports/{imp.user_id}/{imp.id}/scores/") == [
        extracted_key(imp.user_id, imp.id, 2),
        extracted_key(imp.user_id, imp.id, 3),
    ]


async def test_an_erasure_while_the_archive_is_read_leaves_nothing(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    a, b = pdf("a"), pdf("b")
    imp = await uploaded(exports_db, imports, storage, archive([(entry("A", a), a), (entry("B", b), b)]))

    async def erased(key: str) -> None:
        storage.on_put = None
        await imports.erase_user(exports_db, imp.user_id)

    storage.on_put = erased
    await imports.run_import(exports_db, ImportArchiveUploadedV1(import_id=imp.id, user_id=imp.user_id))

    assert stored(storage, imp) == []
    async with exports_db.transaction() as session:
        assert await session.get(Import, imp.id) is None


async def test_the_last_failed_delivery_fails_the_import_and_cleans_up(
    exports_db: Database, imports: ImportService, storage: MemoryStorage, exports_settings: ExportsSettings
):
    imp = await uploaded(exports_db, imports, storage, archive([(entry("A", pdf("a")), pdf("a"))]))

    async def unavailable(key: str) -> None:
        raise ConnectionError("storage away")

    storage.on_put = unavailable
    with pytest.raises(ConnectionError):
        await run(exports_db, imports, imp)
    assert (await row(exports_db, imp.id)).status == ImportStatus.VALIDATING  # the broker retries

    token = current_delivery.set(Delivery("exports.q", False, exports_settings.consumer_max_retries))
    try:
        done = await run(exports_db, imports, imp)
    finally:
        current_delivery.reset(token)

    assert done.status == ImportStatus.FAILED
    assert done.problem is not None
    assert done.problem["type"] == PROBLEMS + "import-failed"
    assert stored(storage, imp) == []


# --- what the other services tell ------------------------------------------------------------


def quota(user_id: uuid.UUID, *, total: int, used: int) -> QuotaChangedV1:
    return QuotaChangedV1(user_id=user_id, plan="solo", total_bytes=total, used_bytes=used, reason="test")


def score_uploaded(user_id: uuid.UUID, score_id: uuid.UUID, data: bytes) -> ScoreUploadedV1:
    return ScoreUploadedV1(
        score_id=score_id,
        user_id=user_id,
        object_key=f"{user_id}/scores/{score_id}/original.pdf",
        size_bytes=len(data),
        mime="application/pdf",
        content_hash=hashlib.sha256(data).hexdigest(),
    )


async def accepted_import(
    exports_db: Database, imports: ImportService, storage: MemoryStorage, count: int
) -> tuple[Import, list[dict[str, Any]]]:
    pdfs = [pdf(f"score {n}") for n in range(count)]
    imp = await run(
        exports_db,
        imports,
        await uploaded(
            exports_db, imports, storage, archive([(entry(f"S{n}", d), d) for n, d in enumerate(pdfs)])
        ),
    )
    [accepted] = [data for kind, data in await events(exports_db, imp.id) if kind == "ImportAccepted"]
    return imp, accepted["scores"]


async def test_the_import_completes_when_every_score_is_settled(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    imp, scores = await accepted_import(exports_db, imports, storage, 4)
    ids = [uuid.UUID(score["score_id"]) for score in scores]
    stored_pdf = storage.objects[scores[0]["source_key"]]
    left_out_key = scores[3]["source_key"]

    async with exports_db.transaction() as session:
        # Verified before the LibraryImported of its creation arrives here (another queue).
        await imports.score_stored(session, score_uploaded(imp.user_id, ids[0], stored_pdf))
        await imports.score_stored(session, score_uploaded(imp.user_id, ids[0], stored_pdf))  # again
        await imports.library_imported(
            session,
            LibraryImportedV1(
                import_id=imp.id,
                user_id=imp.user_id,
                score_ids=ids[:3],
                setlists_created=1,
                setlists_skipped=1,
            ),
        )
    half = await row(exports_db, imp.id)
    assert (half.status, half.scores_stored) == (ImportStatus.IMPORTING, 1)
    assert left_out_key not in storage.objects  # files left it out: nobody will copy it

    async with exports_db.transaction() as session:
        await imports.score_rejected(
            session, UploadRejectedV1(score_id=ids[1], user_id=imp.user_id, reason="x")
        )
        await imports.score_deleted(session, ScoreDeletedV1(score_id=ids[2], user_id=imp.user_id))
    done = await row(exports_db, imp.id)

    assert (done.status, done.scores_stored, done.scores_failed) == (ImportStatus.COMPLETED, 1, 1)
    assert done.finished_at is not None
    assert done.report is not None
    assert (
        done.report["setlists_created"],
        done.report["setlists_skipped"],
        done.report["scores_skipped"],
    ) == (
        1,
        1,
        2,
    )
    assert await scores_of(exports_db, imp.id) == {
        ids[0]: "stored",
        ids[1]: "rejected",
        ids[2]: "skipped",
        ids[3]: "skipped",
    }


async def test_an_import_files_refuse_is_refused_and_its_pdfs_deleted(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    imp, _ = await accepted_import(exports_db, imports, storage, 2)
    assert stored(storage, imp) != []
    refusal = ImportRefusedV1(
        import_id=imp.id, user_id=imp.user_id, reason="The scores need 4000 bytes; 10 are free"
    )

    await imports.refused_by_files(exports_db, refusal)
    await imports.refused_by_files(exports_db, refusal)  # a duplicate delivery

    done = await row(exports_db, imp.id)
    assert done.status == ImportStatus.REFUSED
    assert done.problem == {
        "type": PROBLEMS + "quota-exceeded",
        "title": "Storage quota exceeded",
        "detail": refusal.reason,
    }
    assert stored(storage, imp) == []
    assert await scores_of(exports_db, imp.id) == {}


async def test_the_projections_follow_quota_and_contents(session: AsyncSession, imports: ImportService):
    user_id, score_id = uuid.uuid4(), uuid.uuid4()

    await imports.apply_quota(session, quota(user_id, total=100, used=10))
    await imports.apply_quota(session, quota(user_id, total=200, used=20))
    await imports.score_stored(session, score_uploaded(user_id, score_id, b"%PDF-x"))
    kept = await session.get(UserQuota, user_id)
    contents = (
        await session.scalars(sa.select(UserContent.score_id).where(UserContent.user_id == user_id))
    ).all()
    await imports.score_deleted(session, ScoreDeletedV1(score_id=score_id, user_id=user_id))
    # Verified after its deletion was heard of (another queue): it stays gone.
    late_id = uuid.uuid4()
    await imports.score_deleted(session, ScoreDeletedV1(score_id=late_id, user_id=user_id))
    await imports.score_stored(session, score_uploaded(user_id, late_id, b"%PDF-late"))
    left = (
        await session.scalars(
            sa.select(UserContent.score_id).where(
                UserContent.user_id == user_id, UserContent.content_hash.is_not(None)
            )
        )
    ).all()

    assert kept is not None
    assert (kept.total_bytes, kept.used_bytes) == (200, 20)
    assert contents == [score_id]
    assert left == []


async def test_erasure_removes_the_users_imports_projections_and_objects(
    exports_db: Database, imports: ImportService, storage: MemoryStorage
):
    imp, _ = await accepted_import(exports_db, imports, storage, 2)
    async with exports_db.transaction() as session:
        await imports.apply_quota(session, quota(imp.user_id, total=100, used=10))

    await imports.erase_user(exports_db, imp.user_id)

    assert stored(storage, imp) == []
    async with exports_db.transaction() as session:
        for table in (Import, ImportedScoreRow, UserQuota, UserContent):
            assert (await session.scalars(sa.select(table).where(table.user_id == imp.user_id))).all() == []


async def test_abandoned_uploads_expire(exports_db: Database, imports: ImportService, storage: MemoryStorage):
    user_id = uuid.uuid4()
    async with exports_db.transaction() as session:
        out = await imports.create(session, user_id, ImportIn(size_bytes=10))
        await session.execute(
            sa.update(Import)
            .where(Import.id == out.id)
            .values(upload_expires_at=sa.func.now() - timedelta(hours=2))
        )
    storage.objects[staging_archive_key(user_id, out.id)] = b"late"

    assert await imports.expire_abandoned(exports_db) >= 1

    done = await row(exports_db, out.id)
    assert done.status == ImportStatus.FAILED
    assert storage.under(f"imports/staging/{user_id}/") == []
