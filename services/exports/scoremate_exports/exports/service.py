"""Exports of a user's whole library: starting one, collecting the parts the other services write,
building the archive from them (archive.py), what users and admins read, and what goes when an
archive expires, an export stalls, or its user is deleted."""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, get_args

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.exports.archive import (
    BILLING_NAME,
    LIBRARY_NAME,
    PROFILE_NAME,
    SETLISTS_NAME,
    ArchiveBuilt,
    InvalidPart,
    OriginalChanged,
    OriginalVanished,
    PackedPdf,
    Snapshot,
    build_archive,
    snapshot_of,
)
from scoremate_exports.exports.schemas import ExportOut, ExportProgress
from scoremate_exports.models import (
    EXPORT_IN_PROGRESS,
    PRODUCER,
    Export,
    ExportAdminAction,
    ExportStatus,
)
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.errors import Conflict, NotFound
from scoremate_shared.events import (
    ExportFinishedV1,
    ExportPartName,
    ExportPartWrittenV1,
    ExportRequestedV1,
)
from scoremate_shared.idempotency import forget_user_keys
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page, paginate
from scoremate_shared.storage import ObjectMissing, original_key

log = logging.getLogger(__name__)

# Every contributor's part, and the files each writes under the attempt's parts prefix.
PARTS: tuple[str, ...] = get_args(ExportPartName)
PART_FILES: dict[str, tuple[str, ...]] = {
    "library": (LIBRARY_NAME, SETLISTS_NAME),
    "profile": (PROFILE_NAME,),
    "billing": (BILLING_NAME,),
}
ARCHIVE_CONTENT_TYPE = "application/zip"
# Originals are read this much at a time: far below a part, far above a network packet.
READ_CHUNK_BYTES = 1024 * 1024
# Rows the sweeper settles in one transaction (its storage deletes ride in it).
SWEEP_BATCH = 100
# The condition of the one-export-in-progress index, as text so ON CONFLICT can name that index.
IN_PROGRESS_SQL = "status IN ('collecting', 'assembling')"


class ExportNotFound(NotFound):
    """No export of this id for this user (another user's export included)."""


class ExportInProgress(Conflict):
    slug, title = "export-in-progress", "An export is in progress"


class ExportObjects(Protocol):
    """What exports do in storage: `ObjectStorage` in the service, objects in memory in the middle tier."""

    def presign_get(
        self, key: str, seconds: int | None = None, *, download_name: str | None = None
    ) -> tuple[str, datetime]: ...

    def iter_object(self, key: str, chunk_bytes: int) -> AsyncIterator[bytes]: ...

    async def create_multipart(self, key: str, content_type: str) -> str: ...

    async def upload_part(self, key: str, upload_id: str, part_number: int, body: bytes) -> str: ...

    async def complete_multipart(self, key: str, upload_id: str, etags: list[str]) -> None: ...

    async def abort_multipart(self, key: str, upload_id: str) -> None: ...

    async def delete_keys(self, keys: list[str]) -> None: ...


def export_prefix(user_id: uuid.UUID, export_id: uuid.UUID) -> str:
    return f"exports/{user_id}/{export_id}/"


def parts_prefix(user_id: uuid.UUID, export_id: uuid.UUID, attempt: int) -> str:
    return f"{export_prefix(user_id, export_id)}{attempt}/parts/"


def archive_key(user_id: uuid.UUID, export_id: uuid.UUID) -> str:
    return f"{export_prefix(user_id, export_id)}archive.zip"


def download_name(export: Export) -> str:
    moment = export.as_of or export.created_at
    return f"scoremate-export-{moment.astimezone(UTC).date().isoformat()}.zip"


@dataclass(frozen=True)
class _Build:
    """One build of an export's archive: it is the export's current build while the row is
    assembling with this multipart upload id (a restart, a cancel or an erasure changes that)."""

    export_id: uuid.UUID
    user_id: uuid.UUID
    attempt: int
    requested_by: uuid.UUID | None
    parts: dict[str, list[str]]
    key: str
    upload_id: str


class _Superseded(Exception):
    """The build is no longer its export's current one: it stops without a word."""


def _owns(export: Export, build: _Build) -> bool:
    return export.status == ExportStatus.ASSEMBLING and export.multipart_upload_id == build.upload_id


def _keys_of(export: Export) -> list[str]:
    """Every object the export's row knows of: the current attempt's parts and the archive."""
    keys = [key for part_keys in export.parts.values() for key in part_keys]
    return [*keys, archive_key(export.user_id, export.id)]


class ExportService:
    def __init__(self, settings: ExportsSettings, storage: ExportObjects) -> None:
        self.settings = settings
        self.storage = storage
        # Builds of this process at once: each holds about two parts in memory.
        self._builds = asyncio.Semaphore(settings.export_concurrent_builds)

    # --- starting ---------------------------------------------------------------------------------

    async def start(
        self, session: AsyncSession, user_id: uuid.UUID, requested_by: uuid.UUID | None
    ) -> ExportOut:
        """A new export (collecting, attempt 1) and its ExportRequested; 409 `export-in-progress`
        (with its `export_id`) while the user has one being made."""
        for _ in range(2):
            # One statement against the one-in-progress index: two concurrent requests cannot both
            # insert, and the loser waits for the winner's commit instead of failing on the index.
            export = await session.scalar(
                insert(Export)
                .values(
                    id=uuid.uuid4(),
                    user_id=user_id,
                    requested_by=requested_by,
                    status=ExportStatus.COLLECTING,
                    attempt=1,
                    parts={},
                    scores_packed=0,
                )
                .on_conflict_do_nothing(index_elements=[Export.user_id], index_where=sa.text(IN_PROGRESS_SQL))
                .returning(Export)
            )
            if export is not None:
                await add_event(session, self._requested(export), PRODUCER)
                return self._out(export)
            running = await session.scalar(
                sa.select(Export.id).where(Export.user_id == user_id, Export.status.in_(EXPORT_IN_PROGRESS))
            )
            if running is not None:
                raise ExportInProgress(
                    "An export of this library is being made; follow it, or delete it first",
                    export_id=str(running),
                )
            # It finished between the two statements: the next insert finds the way clear.
        raise ExportInProgress("An export of this library is being made; retry shortly")

    @staticmethod
    def _requested(export: Export) -> ExportRequestedV1:
        return ExportRequestedV1(
            export_id=export.id,
            user_id=export.user_id,
            attempt=export.attempt,
            parts_prefix=parts_prefix(export.user_id, export.id, export.attempt),
            requested_by=export.requested_by,
        )

    # --- what a user reads and deletes -----------------------------------------------------------

    async def list_for_user(
        self, session: AsyncSession, user_id: uuid.UUID, page: int, page_size: int
    ) -> Page[ExportOut]:
        """The user's exports, newest first."""
        return await self._page(session, [Export.user_id == user_id], page, page_size)

    async def get_for_user(
        self, session: AsyncSession, user_id: uuid.UUID, export_id: uuid.UUID
    ) -> ExportOut:
        export = await session.get(Export, export_id)
        if export is None or export.user_id != user_id:
            raise ExportNotFound("No such export")
        return self._out(export)

    async def delete_for_user(self, session: AsyncSession, user_id: uuid.UUID, export_id: uuid.UUID) -> None:
        """The archive goes at once (the export stays listed as expired); an export being made is
        cancelled (failed), its parts and unfinished upload dropped. Again: nothing more to do."""
        export = await session.get(Export, export_id, with_for_update=True)
        if export is None or export.user_id != user_id:
            raise ExportNotFound("No such export")
        if export.status == ExportStatus.COMPLETED:
            export.status = ExportStatus.EXPIRED
            export.expires_at = datetime.now(UTC)
        elif export.status in EXPORT_IN_PROGRESS:
            await self._abort_upload(export)
            await self._fail_row(session, export, "cancelled: the export was deleted")
        # Before the commit: a failed delete rolls the change back, and the user may try again.
        await self.storage.delete_keys(_keys_of(export))

    # --- what an admin does (each call is itself in the access log) -------------------------------

    async def request_for_user(
        self, session: AsyncSession, admin: Principal, user_id: uuid.UUID
    ) -> ExportOut:
        """A data-subject request: the user's export, asked for by the admin."""
        started = await self.start(session, user_id, admin.user_id)
        await record_admin_action(
            session, PRODUCER, admin, ExportAdminAction.REQUEST, f"user {user_id}, export {started.id}"
        )
        return started

    async def list_for_admin(
        self, session: AsyncSession, admin: Principal, user_id: uuid.UUID | None, page: int, page_size: int
    ) -> Page[ExportOut]:
        """One user's exports (or everyone's), newest first."""
        conditions = [Export.user_id == user_id] if user_id is not None else []
        found = await self._page(session, conditions, page, page_size)
        target = f"user {user_id}" if user_id is not None else "every user"
        await record_admin_action(session, PRODUCER, admin, ExportAdminAction.LIST, target)
        return found

    async def get_for_admin(self, session: AsyncSession, admin: Principal, export_id: uuid.UUID) -> ExportOut:
        """Any user's export, with its download URL once completed: recorded as a download."""
        export = await session.get(Export, export_id)
        if export is None:
            raise ExportNotFound("No such export")
        await record_admin_action(
            session, PRODUCER, admin, ExportAdminAction.DOWNLOAD, f"user {export.user_id}, export {export.id}"
        )
        return self._out(export)

    async def _page(
        self, session: AsyncSession, conditions: list[sa.ColumnElement[bool]], page: int, page_size: int
    ) -> Page[ExportOut]:
        statement = sa.select(Export).where(*conditions).order_by(Export.created_at.desc(), Export.id)
        found = await paginate(session, statement, page, page_size)
        return Page(
            items=[self._out(export) for export in found.items],
            page=found.page,
            page_size=found.page_size,
            total=found.total,
        )

    def _out(self, export: Export) -> ExportOut:
        url: str | None = None
        url_expires_at: datetime | None = None
        if export.status == ExportStatus.COMPLETED:
            # Signed afresh on every read (local computation): a URL lives minutes, the archive days.
            url, url_expires_at = self.storage.presign_get(
                archive_key(export.user_id, export.id), download_name=download_name(export)
            )
        return ExportOut(
            id=export.id,
            status=ExportStatus(export.status),
            requested_by=export.requested_by,
            as_of=export.as_of,
            progress=ExportProgress(
                parts_received=len(export.parts),
                parts_expected=len(PARTS),
                scores_total=export.scores,
                scores_packed=export.scores_packed,
            ),
            size_bytes=export.size_bytes,
            scores=export.scores,
            setlists=export.setlists,
            created_at=export.created_at,
            completed_at=export.completed_at,
            expires_at=export.expires_at,
            download_url=url,
            download_expires_at=url_expires_at,
            error=export.error,
        )

    # --- the parts, and the archive built from them --------------------------------------------

    async def record_part(self, db: Database, event: ExportPartWrittenV1) -> None:
        """ExportPartWritten: keep the part (a part of another attempt, or of an export no longer
        being made, is ignored and its objects deleted); the last one in builds the archive.

        Spans several transactions: the part and the build's start commit under the row's lock,
        the archive streams with no lock held (its progress commits part by part), and its outcome
        commits under the lock again. A redelivery while the archive is being built starts the
        build over (the message came back: its build died, or a duplicate arrived); the build it
        replaces finds itself superseded at its next part and stops without a word."""
        build = await self._take_part(db, event)
        if build is None:
            return
        async with self._builds:
            await self._build(db, build)

    async def _take_part(self, db: Database, event: ExportPartWrittenV1) -> _Build | None:
        stale: list[str] = []
        created: tuple[str, str] | None = None
        build: _Build | None = None
        try:
            async with db.transaction() as session:
                export = await session.get(Export, event.export_id, with_for_update=True)
                if (
                    export is None
                    or export.user_id != event.user_id
                    or export.attempt != event.attempt
                    or export.status not in EXPORT_IN_PROGRESS
                ):
                    log.info(
                        "export %s: part %s of attempt %d ignored", event.export_id, event.part, event.attempt
                    )
                    stale = event.keys
                else:
                    export.parts = {**export.parts, event.part: list(event.keys)}
                    if set(export.parts) < set(PARTS):
                        return None
                    if export.status == ExportStatus.ASSEMBLING:
                        log.info("export %s: its build starts over", export.id)
                        await self._abort_upload(export)
                    export.status = ExportStatus.ASSEMBLING
                    key = archive_key(export.user_id, export.id)
                    upload_id = await self.storage.create_multipart(key, ARCHIVE_CONTENT_TYPE)
                    created = (key, upload_id)
                    export.archive_key = key
                    export.multipart_upload_id = upload_id
                    export.scores_packed = 0
                    build = _Build(
                        export_id=export.id,
                        user_id=export.user_id,
                        attempt=export.attempt,
                        requested_by=export.requested_by,
                        parts=dict(export.parts),
                        key=key,
                        upload_id=upload_id,
                    )
        except BaseException:
            # The row never named the upload: nobody else would ever abort it.
            if created is not None:
                with contextlib.suppress(Exception):
                    await self.storage.abort_multipart(*created)
            raise
        if stale:
            # Only what lies in that attempt's own parts folder (a late write of an old attempt, or
            # of an export erased or finished meanwhile).
            prefix = parts_prefix(event.user_id, event.export_id, event.attempt)
            await self.storage.delete_keys(
                [key for key in stale if key.startswith(prefix) and ".." not in key.split("/")]
            )
        return build

    async def _build(self, db: Database, build: _Build) -> None:
        try:
            snapshot = await self._snapshot(build)
            await self._mark(
                db, build, as_of=snapshot.as_of, scores=snapshot.scores, setlists=snapshot.setlists
            )
            etags: list[str] = []

            def open_pdf(pdf: PackedPdf) -> AsyncIterator[bytes]:
                return self.storage.iter_object(original_key(build.user_id, pdf.score_id), READ_CHUNK_BYTES)

            async def write_part(number: int, data: bytes) -> None:
                etags.append(await self.storage.upload_part(build.key, build.upload_id, number, data))

            async def progress(scores_packed: int) -> None:
                await self._mark(db, build, scores_packed=scores_packed)

            built = await build_archive(
                snapshot,
                open_pdf,
                write_part,
                part_bytes=self.settings.export_part_bytes,
                deflate_level=self.settings.export_deflate_level,
                on_part=progress,
            )
            await self.storage.complete_multipart(build.key, build.upload_id, etags)
        except _Superseded:
            log.info("export %s: build %s superseded", build.export_id, build.upload_id)
            return
        except OriginalVanished as exc:
            await self.storage.abort_multipart(build.key, build.upload_id)
            await self._start_again(db, build, str(exc))
            return
        except (InvalidPart, OriginalChanged) as exc:
            await self.storage.abort_multipart(build.key, build.upload_id)
            await self._fail(db, build, str(exc))
            return
        except Exception:
            # Storage or the database failed: the message is retried and the build starts over,
            # unless another build, a cancel or an erasure took the export (and its upload) over.
            if not await self._is_current(db, build):
                return
            with contextlib.suppress(Exception):
                await self.storage.abort_multipart(build.key, build.upload_id)
            raise
        await self._finish(db, build, snapshot, built)

    async def _snapshot(self, build: _Build) -> Snapshot:
        """The four part files, read from the attempt's own parts folder."""
        prefix = parts_prefix(build.user_id, build.export_id, build.attempt)
        files: dict[str, bytes] = {}
        for part, names in PART_FILES.items():
            for name in names:
                key = f"{prefix}{name}"
                if key not in build.parts.get(part, []):
                    raise InvalidPart(f"the {part} part has no {name}")
                try:
                    files[name] = b"".join([c async for c in self.storage.iter_object(key, READ_CHUNK_BYTES)])
                except ObjectMissing as exc:
                    raise InvalidPart(f"{name} of the {part} part is not in storage") from exc
        return snapshot_of(
            files[LIBRARY_NAME], files[SETLISTS_NAME], files[PROFILE_NAME], files[BILLING_NAME]
        )

    async def _mark(self, db: Database, build: _Build, **values: object) -> None:
        """Progress of the current build (one UPDATE, no lock held); `_Superseded` when it is not."""
        async with db.transaction() as session:
            updated = await session.scalar(
                sa.update(Export)
                .where(
                    Export.id == build.export_id,
                    Export.status == ExportStatus.ASSEMBLING,
                    Export.multipart_upload_id == build.upload_id,
                )
                .values(**values)
                .returning(Export.id)
            )
        if updated is None:
            raise _Superseded

    async def _is_current(self, db: Database, build: _Build) -> bool:
        async with db.session() as session:
            export = await session.get(Export, build.export_id)
            return export is not None and _owns(export, build)

    async def _finish(self, db: Database, build: _Build, snapshot: Snapshot, built: ArchiveBuilt) -> None:
        """Completed (ExportFinished), the parts deleted; an archive completed for an export that
        was erased or cancelled meanwhile is deleted instead."""
        async with db.transaction() as session:
            export = await session.get(Export, build.export_id, with_for_update=True)
            if export is None or not _owns(export, build):
                # A newer build of the same snapshot writes the same bytes to the same key: leave it.
                if export is None or export.status in (ExportStatus.FAILED, ExportStatus.EXPIRED):
                    await self.storage.delete_keys([build.key])
                return
            now = datetime.now(UTC)
            export.status = ExportStatus.COMPLETED
            export.size_bytes = built.size_bytes
            export.scores = snapshot.scores
            export.setlists = snapshot.setlists
            export.scores_packed = built.scores_packed
            export.completed_at = now
            export.expires_at = now + timedelta(hours=self.settings.export_retention_hours)
            export.multipart_upload_id = None
            parts = [key for keys in export.parts.values() for key in keys]
            await add_event(
                session,
                ExportFinishedV1(
                    export_id=export.id,
                    user_id=export.user_id,
                    status="completed",
                    size_bytes=built.size_bytes,
                    scores=snapshot.scores,
                    requested_by=export.requested_by,
                ),
                PRODUCER,
            )
        await self._delete_quietly(parts)

    async def _start_again(self, db: Database, build: _Build, reason: str) -> None:
        """An original of the snapshot is gone: a new attempt (a new snapshot) while attempts are
        left, else failed."""
        async with db.transaction() as session:
            export = await session.get(Export, build.export_id, with_for_update=True)
            if export is None or not _owns(export, build):
                return
            dropped = _keys_of(export)
            if export.attempt >= self.settings.export_max_attempts:
                await self._fail_row(session, export, f"{reason} (after {export.attempt} attempts)")
            else:
                log.info("export %s: attempt %d starts again: %s", export.id, export.attempt + 1, reason)
                export.attempt += 1
                export.status = ExportStatus.COLLECTING
                export.parts = {}
                export.multipart_upload_id = None
                export.as_of = None
                export.scores = None
                export.setlists = None
                export.scores_packed = 0
                await add_event(session, self._requested(export), PRODUCER)
        await self._delete_quietly(dropped)

    async def _fail(self, db: Database, build: _Build, reason: str) -> None:
        async with db.transaction() as session:
            export = await session.get(Export, build.export_id, with_for_update=True)
            if export is None or not _owns(export, build):
                return
            dropped = _keys_of(export)
            await self._fail_row(session, export, reason)
        await self._delete_quietly(dropped)

    @staticmethod
    async def _fail_row(session: AsyncSession, export: Export, reason: str) -> None:
        log.warning("export %s failed: %s", export.id, reason)
        export.status = ExportStatus.FAILED
        export.error = reason
        export.multipart_upload_id = None
        await add_event(
            session,
            ExportFinishedV1(
                export_id=export.id,
                user_id=export.user_id,
                status="failed",
                requested_by=export.requested_by,
                reason=reason,
            ),
            PRODUCER,
        )

    async def _abort_upload(self, export: Export) -> None:
        if export.multipart_upload_id is not None:
            await self.storage.abort_multipart(
                archive_key(export.user_id, export.id), export.multipart_upload_id
            )
            export.multipart_upload_id = None

    async def _delete_quietly(self, keys: list[str]) -> None:
        """After the commit that made them garbage: a failure leaves strays, not a wrong state
        (a completed archive's are deleted again when it expires)."""
        try:
            await self.storage.delete_keys(keys)
        except Exception:
            log.warning("could not delete %d export objects", len(keys), exc_info=True)

    # --- erasure and the sweeper ---------------------------------------------------------------

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        """UserDeleted: every export of the user, its archive, parts and unfinished upload, and the
        user's Idempotency-Keys. An export being made ends failed (ExportFinished). The objects go
        before the rows' commit: only the rows know them, and a failure is retried with them there."""
        async with db.transaction() as session:
            exports = (
                await session.scalars(sa.select(Export).where(Export.user_id == user_id).with_for_update())
            ).all()
            keys: list[str] = []
            for export in exports:
                keys += _keys_of(export)
                await self._abort_upload(export)
                if export.status in EXPORT_IN_PROGRESS:
                    await self._fail_row(session, export, "the account was deleted")
            await self.storage.delete_keys(keys)
            await session.execute(sa.delete(Export).where(Export.user_id == user_id))
            await forget_user_keys(session, user_id)

    async def sweep_expired(self, db: Database) -> int:
        """Archives past their retention are deleted (the export is expired), and exports that
        stopped moving are failed; how many exports it settled. Workers share the work (SKIP
        LOCKED); each batch deletes its objects before its commit, so a failure leaves it to the
        next round."""
        settled = 0
        while True:
            async with db.transaction() as session:
                now = datetime.now(UTC)
                expired = (
                    await session.scalars(
                        sa.select(Export)
                        .where(Export.status == ExportStatus.COMPLETED, Export.expires_at <= now)
                        .order_by(Export.expires_at)
                        .limit(SWEEP_BATCH)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                stalled = (
                    await session.scalars(
                        sa.select(Export)
                        .where(
                            sa.text(IN_PROGRESS_SQL),
                            Export.updated_at <= now - timedelta(hours=self.settings.export_stall_hours),
                        )
                        .order_by(Export.updated_at)
                        .limit(SWEEP_BATCH)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                keys: list[str] = []
                for export in expired:
                    keys += _keys_of(export)
                    export.status = ExportStatus.EXPIRED
                for export in stalled:
                    keys += _keys_of(export)
                    await self._abort_upload(export)
                    await self._fail_row(
                        session,
                        export,
                        f"the export stalled: nothing moved for {self.settings.export_stall_hours:g} hours",
                    )
                await self.storage.delete_keys(keys)
            settled += len(expired) + len(stalled)
            if len(expired) < SWEEP_BATCH and len(stalled) < SWEEP_BATCH:
                return settled
