"""Exports' decisions on their migrated schema (the middle tier: no stack). Starting one is a
request's unit of work (a rolled-back session); the parts, the build, erasure and the sweeper span
transactions of their own, so those tests commit, each with users of its own. Objects live in
memory (conftest's MemoryObjects): the archive on SeaweedFS is the stack tests' (tests/exports)."""

import hashlib
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.exports.service import (
    ExportInProgress,
    ExportNotFound,
    ExportService,
    archive_key,
    parts_prefix,
)
from scoremate_exports.models import Export, ExportStatus
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.events import (
    AdminActionRecordedV1,
    ExportFinishedV1,
    ExportPartWrittenV1,
    ExportRequestedV1,
    IntegrationEvent,
)
from scoremate_shared.idempotency import idempotency_table
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.storage import original_key

AS_OF = "2026-03-14T09:26:53.589000+00:00"


def pdf(n: int) -> bytes:
    return b"%PDF-1.4\n" + hashlib.shake_256(f"score {n}".encode()).digest(2000)


def document(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


class Library:
    """A user's library as the contributors would write it for one attempt."""

    def __init__(self, user_id: uuid.UUID, titles: tuple[str, ...] = ("Clair de lune", "Gymnopédie")) -> None:
        self.user_id = user_id
        self.scores = [(uuid.uuid4(), title, pdf(n)) for n, title in enumerate(titles)]

    def store_originals(self, objects) -> None:
        for score_id, _, data in self.scores:
            objects.objects[original_key(self.user_id, score_id)] = data

    def library_json(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "as_of": AS_OF,
            "scores": [
                {
                    "id": str(score_id),
                    "title": title,
                    "size_bytes": len(data),
                    "content_hash": hashlib.sha256(data).hexdigest(),
                    "file": f"scores/{title} - {str(score_id)[:8]}.pdf",
                }
                for score_id, title, data in self.scores
            ],
        }

    def write_parts(self, objects, export_id: uuid.UUID, attempt: int = 1) -> dict[str, list[str]]:
        """Every part file under the attempt's prefix; the keys of each part."""
        prefix = parts_prefix(self.user_id, export_id, attempt)
        files = {
            "library.json": self.library_json(),
            "setlists.json": {"format_version": 1, "as_of": AS_OF, "setlists": []},
            "profile.json": {"id": str(self.user_id), "email": "ada@example.com"},
            "billing.json": {"plan": "pro"},
        }
        for name, value in files.items():
            objects.objects[f"{prefix}{name}"] = document(value)
        return {
            "library": [f"{prefix}library.json", f"{prefix}setlists.json"],
            "profile": [f"{prefix}profile.json"],
            "billing": [f"{prefix}billing.json"],
        }


def part(user_id: uuid.UUID, export_id: uuid.UUID, name: str, keys: list[str], attempt: int = 1):
    return ExportPartWrittenV1(export_id=export_id, user_id=user_id, attempt=attempt, part=name, keys=keys)


async def start(db: Database, service: ExportService, user_id: uuid.UUID) -> uuid.UUID:
    async with db.transaction() as session:
        return (await service.start(session, user_id, None)).id


async def record_all(
    db: Database, service: ExportService, user_id, export_id, keys, attempt: int = 1
) -> None:
    for name in ("library", "profile", "billing"):
        await service.record_part(db, part(user_id, export_id, name, keys[name], attempt))


async def row(db: Database, export_id: uuid.UUID) -> Export | None:
    async with db.session() as session:
        return await session.get(Export, export_id)


async def published(session_or_db, event: type[IntegrationEvent], **data: str) -> list[dict[str, Any]]:
    """The data of the outbox's events of that type whose fields have these values."""
    statement = sa.select(outbox_table.c.envelope).where(outbox_table.c.routing_key == event.routing_key)
    for field, value in data.items():
        statement = statement.where(outbox_table.c.envelope["data"][field].astext == value)
    if isinstance(session_or_db, AsyncSession):
        envelopes = (await session_or_db.scalars(statement)).all()
    else:
        async with session_or_db.session() as session:
            envelopes = (await session.scalars(statement)).all()
    return [envelope["data"] for envelope in envelopes]


# --- starting -------------------------------------------------------------------------------------


async def test_an_export_starts_collecting_and_asks_every_service_for_its_part(
    session: AsyncSession, export_service: ExportService
):
    user_id = uuid.uuid4()
    started = await export_service.start(session, user_id, None)

    assert started.status == ExportStatus.COLLECTING
    assert started.requested_by is None
    assert started.progress.model_dump() == {
        "parts_received": 0,
        "parts_expected": 3,
        "scores_total": None,
        "scores_packed": 0,
    }
    assert started.download_url is None
    requested = await published(session, ExportRequestedV1, export_id=str(started.id))
    assert requested == [
        {
            "export_id": str(started.id),
            "user_id": str(user_id),
            "attempt": 1,
            "parts_prefix": f"exports/{user_id}/{started.id}/1/parts/",
            "requested_by": None,
        }
    ]


async def test_a_second_export_while_one_is_being_made_is_409_naming_it(
    session: AsyncSession, export_service: ExportService
):
    user_id = uuid.uuid4()
    first = await export_service.start(session, user_id, None)
    with pytest.raises(ExportInProgress) as raised:
        await export_service.start(session, user_id, None)
    problem = raised.value.to_problem()
    assert (problem["status"], problem["type"]) == (409, "https://scoremate.app/problems/export-in-progress")
    assert problem["export_id"] == str(first.id)
    # Another user is not held up by it.
    await export_service.start(session, uuid.uuid4(), None)


async def test_a_finished_export_does_not_hold_up_the_next(
    session: AsyncSession, export_service: ExportService
):
    user_id = uuid.uuid4()
    first = await export_service.start(session, user_id, None)
    await session.execute(
        sa.update(Export).where(Export.id == first.id).values(status=ExportStatus.COMPLETED)
    )
    second = await export_service.start(session, user_id, None)
    assert second.id != first.id


# --- the parts and the build ------------------------------------------------------------------------


async def test_the_last_part_builds_the_archive_and_completes_the_export(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    library.store_originals(export_objects)
    export_id = await start(exports_db, export_service, library.user_id)
    keys = library.write_parts(export_objects, export_id)

    await export_service.record_part(exports_db, part(library.user_id, export_id, "profile", keys["profile"]))
    await export_service.record_part(exports_db, part(library.user_id, export_id, "library", keys["library"]))
    waiting = await row(exports_db, export_id)
    assert waiting is not None
    assert (waiting.status, sorted(waiting.parts)) == (ExportStatus.COLLECTING, ["library", "profile"])
    assert export_objects.uploads == {}  # nothing is built before every part is in

    await export_service.record_part(exports_db, part(library.user_id, export_id, "billing", keys["billing"]))

    done = await row(exports_db, export_id)
    assert done is not None
    assert done.status == ExportStatus.COMPLETED
    assert done.as_of == datetime.fromisoformat(AS_OF)
    assert (done.scores, done.setlists, done.scores_packed) == (2, 0, 2)
    assert done.multipart_upload_id is None
    assert done.completed_at is not None
    assert done.expires_at == done.completed_at + timedelta(hours=72)
    archive = export_objects.objects[archive_key(library.user_id, export_id)]
    assert done.size_bytes == len(archive)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.namelist()[:4] == ["README.md", "library.json", "setlists.json", "account.json"]
        for score_id, title, data in library.scores:
            assert zipped.read(f"scores/{title} - {str(score_id)[:8]}.pdf") == data
        assert json.loads(zipped.read("account.json"))["profile"]["email"] == "ada@example.com"
    # The parts are gone once the archive holds them; the originals are the library's.
    assert not [key for key in export_objects.objects if "/parts/" in key and str(export_id) in key]
    assert all(original_key(library.user_id, s) in export_objects.objects for s, _, _ in library.scores)
    finished = await published(exports_db, ExportFinishedV1, export_id=str(export_id))
    assert [(f["status"], f["size_bytes"], f["scores"]) for f in finished] == [("completed", len(archive), 2)]

    async with exports_db.session() as session:
        shown = await export_service.get_for_user(session, library.user_id, export_id)
    assert shown.progress.model_dump() == {
        "parts_received": 3,
        "parts_expected": 3,
        "scores_total": 2,
        "scores_packed": 2,
    }
    assert shown.download_url is not None
    assert shown.download_expires_at is not None
    assert f"exports/{library.user_id}/{export_id}/archive.zip" in shown.download_url
    assert "scoremate-export-2026-03-14.zip" in shown.download_url  # saved under the snapshot's date
    assert shown.download_expires_at <= datetime.now(UTC) + timedelta(minutes=5)

    # A late duplicate of a part changes nothing, and its rewritten objects are dropped.
    again = library.write_parts(export_objects, export_id)
    await export_service.record_part(
        exports_db, part(library.user_id, export_id, "billing", again["billing"])
    )
    assert (await row(exports_db, export_id)).status == ExportStatus.COMPLETED  # type: ignore[union-attr]
    assert again["billing"][0] not in export_objects.objects
    assert len(await published(exports_db, ExportFinishedV1, export_id=str(export_id))) == 1


async def test_a_part_of_a_stale_attempt_or_another_user_is_ignored_and_its_objects_deleted(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    export_id = await start(exports_db, export_service, library.user_id)
    stale = library.write_parts(export_objects, export_id, attempt=2)
    await record_all(exports_db, export_service, library.user_id, export_id, stale, attempt=2)
    await export_service.record_part(
        exports_db,
        part(uuid.uuid4(), export_id, "library", [f"exports/{uuid.uuid4()}/{export_id}/1/parts/x"]),
    )

    kept = await row(exports_db, export_id)
    assert kept is not None
    assert (kept.status, kept.attempt, kept.parts) == (ExportStatus.COLLECTING, 1, {})
    assert not [key for keys in stale.values() for key in keys if key in export_objects.objects]
    assert export_objects.uploads == {}


async def test_a_vanished_original_starts_a_new_attempt_then_fails_after_the_last(
    exports_db: Database, exports_settings: ExportsSettings, export_objects
):
    service = ExportService(exports_settings.model_copy(update={"export_max_attempts": 2}), export_objects)
    library = Library(uuid.uuid4())
    library.store_originals(export_objects)
    deleted_id = library.scores[1][0]
    del export_objects.objects[original_key(library.user_id, deleted_id)]  # the score was deleted since
    export_id = await start(exports_db, service, library.user_id)

    first = library.write_parts(export_objects, export_id)
    await record_all(exports_db, service, library.user_id, export_id, first)

    again = await row(exports_db, export_id)
    assert again is not None
    assert (again.status, again.attempt, again.parts, again.multipart_upload_id) == (
        ExportStatus.COLLECTING,
        2,
        {},
        None,
    )
    assert export_objects.uploads == {}
    assert len(export_objects.aborted) == 1
    assert not [key for keys in first.values() for key in keys if key in export_objects.objects]
    requested = await published(exports_db, ExportRequestedV1, export_id=str(export_id))
    assert sorted((r["attempt"], r["parts_prefix"]) for r in requested) == [
        (1, parts_prefix(library.user_id, export_id, 1)),
        (2, parts_prefix(library.user_id, export_id, 2)),
    ]

    second = library.write_parts(export_objects, export_id, attempt=2)
    await record_all(exports_db, service, library.user_id, export_id, second, attempt=2)

    failed = await row(exports_db, export_id)
    assert failed is not None
    assert failed.status == ExportStatus.FAILED
    assert failed.error is not None
    assert str(deleted_id) in failed.error
    assert "2 attempts" in failed.error
    assert archive_key(library.user_id, export_id) not in export_objects.objects
    finished = await published(exports_db, ExportFinishedV1, export_id=str(export_id))
    assert [(f["status"], f["reason"]) for f in finished] == [("failed", failed.error)]


async def test_an_original_whose_bytes_are_not_the_snapshots_fails_the_export(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    library.store_originals(export_objects)
    export_objects.objects[original_key(library.user_id, library.scores[0][0])] += b"tampered"
    export_id = await start(exports_db, export_service, library.user_id)
    await record_all(
        exports_db, export_service, library.user_id, export_id, library.write_parts(export_objects, export_id)
    )

    failed = await row(exports_db, export_id)
    assert failed is not None
    assert failed.status == ExportStatus.FAILED
    assert failed.attempt == 1
    assert failed.error is not None
    assert str(library.scores[0][0]) in failed.error
    assert export_objects.uploads == {}
    assert export_objects.completed == []


async def test_a_redelivered_part_while_assembling_builds_again_after_aborting_the_old_upload(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    library.store_originals(export_objects)
    export_id = await start(exports_db, export_service, library.user_id)
    keys = library.write_parts(export_objects, export_id)
    # A build that died: every part in, assembling, its upload never finished.
    dead = await export_objects.create_multipart(archive_key(library.user_id, export_id), "application/zip")
    async with exports_db.transaction() as session:
        await session.execute(
            sa.update(Export)
            .where(Export.id == export_id)
            .values(status=ExportStatus.ASSEMBLING, parts=keys, multipart_upload_id=dead)
        )

    await export_service.record_part(exports_db, part(library.user_id, export_id, "library", keys["library"]))

    assert export_objects.aborted == [dead]
    done = await row(exports_db, export_id)
    assert done is not None
    assert done.status == ExportStatus.COMPLETED
    assert archive_key(library.user_id, export_id) in export_objects.objects


async def test_a_build_superseded_by_a_newer_one_stops_without_a_word(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    library.store_originals(export_objects)
    export_id = await start(exports_db, export_service, library.user_id)
    keys = library.write_parts(export_objects, export_id)
    upload_part = export_objects.upload_part

    async def taken_over(key: str, upload_id: str, number: int, body: bytes) -> str:
        # Meanwhile a redelivery started another build: the row names its upload now.
        async with exports_db.transaction() as session:
            await session.execute(
                sa.update(Export).where(Export.id == export_id).values(multipart_upload_id="newer")
            )
        return await upload_part(key, upload_id, number, body)

    export_objects.upload_part = taken_over
    await record_all(exports_db, export_service, library.user_id, export_id, keys)

    still = await row(exports_db, export_id)
    assert still is not None
    assert (still.status, still.multipart_upload_id) == (ExportStatus.ASSEMBLING, "newer")
    assert await published(exports_db, ExportFinishedV1, export_id=str(export_id)) == []


# --- what users and admins read and delete -----------------------------------------------------------


async def test_another_users_export_is_not_found(session: AsyncSession, export_service: ExportService):
    owner, stranger = uuid.uuid4(), uuid.uuid4()
    started = await export_service.start(session, owner, None)
    with pytest.raises(ExportNotFound):
        await export_service.get_for_user(session, stranger, started.id)
    with pytest.raises(ExportNotFound):
        await export_service.delete_for_user(session, stranger, started.id)
    assert (await export_service.list_for_user(session, stranger, 1, 20)).total == 0
    mine = await export_service.list_for_user(session, owner, 1, 20)
    assert [item.id for item in mine.items] == [started.id]


async def test_deleting_a_completed_export_deletes_its_archive_at_once(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    library.store_originals(export_objects)
    export_id = await start(exports_db, export_service, library.user_id)
    await record_all(
        exports_db, export_service, library.user_id, export_id, library.write_parts(export_objects, export_id)
    )
    assert archive_key(library.user_id, export_id) in export_objects.objects

    async with exports_db.transaction() as session:
        await export_service.delete_for_user(session, library.user_id, export_id)
    async with exports_db.transaction() as session:  # again: nothing more to do
        await export_service.delete_for_user(session, library.user_id, export_id)

    assert archive_key(library.user_id, export_id) not in export_objects.objects
    async with exports_db.session() as session:
        shown = await export_service.get_for_user(session, library.user_id, export_id)
    assert (shown.status, shown.download_url) == (ExportStatus.EXPIRED, None)


async def test_deleting_an_export_being_made_cancels_it(
    exports_db: Database, export_service: ExportService, export_objects
):
    library = Library(uuid.uuid4())
    export_id = await start(exports_db, export_service, library.user_id)
    keys = library.write_parts(export_objects, export_id)
    await export_service.record_part(exports_db, part(library.user_id, export_id, "library", keys["library"]))

    async with exports_db.transaction() as session:
        await export_service.delete_for_user(session, library.user_id, export_id)

    cancelled = await row(exports_db, export_id)
    assert cancelled is not None
    assert cancelled.status == ExportStatus.FAILED
    assert cancelled.error is not None
    assert "cancelled" in cancelled.error
    assert not [key for key in keys["library"] if key in export_objects.objects]
    assert [f["status"] for f in await published(exports_db, ExportFinishedV1, export_id=str(export_id))] == [
        "failed"
    ]
    # The user may start again at once; a part of the cancelled one arriving late is ignored.
    await start(exports_db, export_service, library.user_id)
    await export_service.record_part(exports_db, part(library.user_id, export_id, "profile", keys["profile"]))
    assert (await row(exports_db, export_id)).parts.keys() == {"library"}  # type: ignore[union-attr]


async def test_every_admin_call_is_recorded_with_the_user_it_concerns(
    session: AsyncSession, export_service: ExportService
):
    admin, user_id = Principal(uuid.uuid4(), frozenset({"admin"})), uuid.uuid4()
    started = await export_service.request_for_user(session, admin, user_id)
    assert started.requested_by == admin.user_id
    requested = await published(session, ExportRequestedV1, export_id=str(started.id))
    assert requested[0]["requested_by"] == str(admin.user_id)
    await export_service.get_for_admin(session, admin, started.id)
    listed = await export_service.list_for_admin(session, admin, user_id, 1, 20)
    assert [item.id for item in listed.items] == [started.id]
    with pytest.raises(ExportNotFound):
        await export_service.get_for_admin(session, admin, uuid.uuid4())

    actions = await published(session, AdminActionRecordedV1, actor_id=str(admin.user_id))
    assert [a["action"] for a in actions] == ["export.request", "export.download", "export.list"]
    assert all(str(user_id) in a["target"] and a["service"] == "exports" for a in actions)


# --- erasure and the sweeper ----------------------------------------------------------------------------


async def test_erasing_a_user_deletes_every_export_object_and_key(
    exports_db: Database, export_service: ExportService, export_objects
):
    library, other = Library(uuid.uuid4()), Library(uuid.uuid4())
    for each in (library, other):
        each.store_originals(export_objects)
        export_id = await start(exports_db, export_service, each.user_id)
        await record_all(
            exports_db, export_service, each.user_id, export_id, each.write_parts(export_objects, export_id)
        )
    # And one being made, with a part in and an upload started.
    running = await start(exports_db, export_service, library.user_id)
    keys = library.write_parts(export_objects, running)
    await export_service.record_part(exports_db, part(library.user_id, running, "library", keys["library"]))
    async with exports_db.transaction() as session:
        await session.execute(
            sa.insert(idempotency_table).values(
                user_id=library.user_id,
                method="POST",
                path="/exports",
                key="k",
                request_hash=b"h",
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )

    await export_service.erase_user(exports_db, library.user_id)
    await export_service.erase_user(exports_db, library.user_id)  # a redelivery finds nothing left
    # Parts written before the erasure and announced after it go when their announcement comes.
    for name in ("profile", "billing"):
        await export_service.record_part(exports_db, part(library.user_id, running, name, keys[name]))

    mine = f"exports/{library.user_id}/"
    assert not [key for key in export_objects.objects if key.startswith(mine)]
    assert [key for key in export_objects.objects if key.startswith(f"exports/{other.user_id}/")]
    async with exports_db.session() as session:
        assert await session.scalar(sa.select(sa.func.count()).where(Export.user_id == library.user_id)) == 0
        assert await session.scalar(sa.select(sa.func.count()).where(Export.user_id == other.user_id)) == 1
        assert (
            await session.scalar(
                sa.select(sa.func.count()).where(idempotency_table.c.user_id == library.user_id)
            )
            == 0
        )
    finished = await published(exports_db, ExportFinishedV1, export_id=str(running))
    assert [(f["status"], f["reason"]) for f in finished] == [("failed", "the account was deleted")]


async def test_the_sweeper_expires_archives_past_their_time_and_fails_exports_that_stalled(
    exports_db: Database, export_service: ExportService, export_objects
):
    late, fresh, stuck = Library(uuid.uuid4()), Library(uuid.uuid4()), Library(uuid.uuid4())
    ids = {}
    for each in (late, fresh):
        each.store_originals(export_objects)
        ids[each.user_id] = await start(exports_db, export_service, each.user_id)
        keys = each.write_parts(export_objects, ids[each.user_id])
        await record_all(exports_db, export_service, each.user_id, ids[each.user_id], keys)
    ids[stuck.user_id] = await start(exports_db, export_service, stuck.user_id)
    async with exports_db.transaction() as session:
        await session.execute(
            sa.update(Export)
            .where(Export.id == ids[late.user_id])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.execute(
            sa.update(Export)
            .where(Export.id == ids[stuck.user_id])
            .values(updated_at=datetime.now(UTC) - timedelta(hours=7))
        )

    assert await export_service.sweep_expired(exports_db) >= 2

    expired, kept, failed = [await row(exports_db, ids[each.user_id]) for each in (late, fresh, stuck)]
    assert expired is not None
    assert expired.status == ExportStatus.EXPIRED
    assert archive_key(late.user_id, ids[late.user_id]) not in export_objects.objects
    assert kept is not None
    assert kept.status == ExportStatus.COMPLETED
    assert archive_key(fresh.user_id, ids[fresh.user_id]) in export_objects.objects
    assert failed is not None
    assert failed.status == ExportStatus.FAILED
    assert failed.error is not None
    assert "stalled" in failed.error
    finished = await published(exports_db, ExportFinishedV1, export_id=str(ids[stuck.user_id]))
    assert [f["status"] for f in finished] == ["failed"]
    # The user is free to export again.
    await start(exports_db, export_service, stuck.user_id)
