"""Imports of an archive into a user's library: the upload URL and its start, the streaming check
and extraction, the progress the other services' events report, and the projections the check
needs (the user's quota and content hashes)."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.imports.archive_check import (
    PDF_MIME,
    ArchiveLimits,
    ArchiveRefused,
    CheckedArchive,
    check_archive,
)
from scoremate_exports.imports.schemas import (
    ArchiveUploadOut,
    DuplicateSkippedOut,
    ImportIn,
    ImportOut,
    ImportProgressOut,
    ImportReportOut,
)
from scoremate_exports.models import (
    PRODUCER,
    Import,
    ImportedScoreRow,
    ImportedScoreStatus,
    ImportStatus,
    UserContent,
    UserQuota,
)
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.errors import PROBLEM_BASE, Conflict, NotFound, ProblemError
from scoremate_shared.events import (
    ImportAcceptedV1,
    ImportArchiveUploadedV1,
    ImportRefusedV1,
    LibraryImportedV1,
    QuotaChangedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
)
from scoremate_shared.messaging.broker import current_delivery
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page, paginate
from scoremate_shared.storage import ObjectMissing, ObjectStorage

log = logging.getLogger(__name__)

ZIP_MIME = "application/zip"


class ImportNotFound(NotFound):
    """No import of this id for this user (another user's import included)."""

    slug, title = "import-not-found", "Import not found"


class ArchiveTooLarge(ProblemError):
    status, slug, title = 413, "archive-too-large", "Archive too large"


class ArchiveNotUploaded(Conflict):
    slug, title = "archive-not-uploaded", "Archive not uploaded"


def staging_archive_key(user_id: uuid.UUID, import_id: uuid.UUID) -> str:
    """Where the client PUTs the archive: never read as it is (the client may still write it)."""
    return f"imports/staging/{user_id}/{import_id}.zip"


def archive_key(user_id: uuid.UUID, import_id: uuid.UUID) -> str:
    """The service's own copy of the archive, the one it reads."""
    return f"imports/{user_id}/{import_id}/archive.zip"


def extracted_key(user_id: uuid.UUID, import_id: uuid.UUID, number: int) -> str:
    """An extracted PDF: the `source_key` files copies to the score's original."""
    return f"imports/{user_id}/{import_id}/scores/{number}.pdf"


def _problem(slug: str, title: str, detail: str) -> dict[str, str]:
    return {"type": PROBLEM_BASE + slug, "title": title, "detail": detail}


class _RunOver(Exception):
    """The import's row moved on without this run: a redelivery took it over, or the user was erased."""


@dataclass(frozen=True)
class _Run:
    """One run of the check, as its first transaction found the import."""

    import_id: uuid.UUID
    user_id: uuid.UUID
    number: int
    archive_key: str
    staging_key: str
    # Extracted objects 1..base are an earlier run's: this run numbers its own from base + 1, so
    # an overtaken run still writing can never touch them.
    base: int
    leftover_multipart: str | None
    free_bytes: int | None
    existing: dict[str, uuid.UUID]


class _StoredPdf:
    """One extracted PDF on its way to storage: a single PUT when it is small, else a multipart
    upload of `import_part_bytes` parts (memory holds about one part)."""

    def __init__(self, extraction: "_StoredExtraction", key: str) -> None:
        self.extraction = extraction
        self.storage = extraction.service.storage
        self.part_bytes = extraction.service.settings.import_part_bytes
        self.key = key
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.etags: list[str] = []
        self.stored = False

    async def write(self, chunk: bytes) -> None:
        self.buffer += chunk
        # Strictly more than a part: the last part is never empty.
        while len(self.buffer) > self.part_bytes:
            if self.upload_id is None:
                self.upload_id = await self.storage.create_multipart(self.key, PDF_MIME)
                await self.extraction.multipart_started(self.upload_id)
            part = bytes(self.buffer[: self.part_bytes])
            del self.buffer[: self.part_bytes]
            self.etags.append(
                await self.storage.upload_part(self.key, self.upload_id, len(self.etags) + 1, part)
            )

    async def finish(self) -> None:
        if self.upload_id is None:
            await self.storage.put_bytes(self.key, bytes(self.buffer), PDF_MIME)
        else:
            last = bytes(self.buffer)
            self.etags.append(
                await self.storage.upload_part(self.key, self.upload_id, len(self.etags) + 1, last)
            )
            await self.storage.complete_multipart(self.key, self.upload_id, self.etags)
        self.buffer = bytearray()
        self.stored = True

    async def discard(self) -> None:
        if self.upload_id is not None and not self.stored:
            await self.storage.abort_multipart(self.key, self.upload_id)
        else:
            await self.storage.delete_keys([self.key])


@dataclass
class _StoredExtraction:
    """The check's target in the service: PDFs to storage, each recorded on the import's row before
    it is written (so a refusal or an erasure knows every key to delete), and the progress."""

    service: "ImportService"
    db: Database
    run: _Run
    # Numbers of the objects this run opened: its own to delete should it be overtaken.
    opened: list[int] = field(default_factory=list)
    multipart: tuple[str, str] | None = None

    def key(self, number: int) -> str:
        return extracted_key(self.run.user_id, self.run.import_id, self.run.base + number)

    async def open(self, number: int) -> _StoredPdf:
        await self._record(objects_written=self.run.base + number, multipart_upload_id=None)
        self.opened.append(self.run.base + number)
        self.multipart = None
        return _StoredPdf(self, self.key(number))

    async def progress(self, bytes_read: int) -> None:
        await self._record(bytes_read=bytes_read)

    async def multipart_started(self, upload_id: str) -> None:
        self.multipart = (extracted_key(self.run.user_id, self.run.import_id, self.opened[-1]), upload_id)
        await self._record(multipart_upload_id=upload_id)

    async def _record(self, **values: Any) -> None:
        """Commit `values` on the import's row while it is still this run's."""
        async with self.db.transaction() as session:
            updated = await session.execute(
                sa.update(Import)
                .where(
                    Import.id == self.run.import_id,
                    Import.runs == self.run.number,
                    Import.status == ImportStatus.VALIDATING,
                )
                .values(**values)
                .returning(Import.id)
            )
            if updated.scalar_one_or_none() is None:
                raise _RunOver

    async def drop_own(self) -> None:
        """This run's objects, when the row moved on without it (whoever took over deletes the rest)."""
        if self.multipart is not None:
            await self.service.storage.abort_multipart(*self.multipart)
        await self.service.storage.delete_keys(
            [extracted_key(self.run.user_id, self.run.import_id, number) for number in self.opened]
        )


class ImportService:
    def __init__(self, settings: ExportsSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    # --- the API ----------------------------------------------------------------------------

    async def create(self, session: AsyncSession, user_id: uuid.UUID, data: ImportIn) -> ImportOut:
        """An import awaiting its archive, and the URL to PUT it to (bound to its size and type)."""
        limit = self.settings.import_max_archive_bytes
        if data.size_bytes > limit:
            raise ArchiveTooLarge(f"Archives are limited to {limit} bytes", max_bytes=limit)
        import_id = uuid.uuid4()
        staging = staging_archive_key(user_id, import_id)
        url, headers, expires_at = self.storage.presign_put(
            staging, ZIP_MIME, data.size_bytes, self.settings.import_upload_url_seconds
        )
        row = Import(
            id=import_id,
            user_id=user_id,
            status=ImportStatus.AWAITING_UPLOAD,
            size_bytes=data.size_bytes,
            staging_key=staging,
            archive_key=archive_key(user_id, import_id),
            upload_expires_at=expires_at,
            bytes_read=0,
            scores_total=0,
            scores_stored=0,
            scores_failed=0,
            runs=0,
            objects_written=0,
        )
        session.add(row)
        await session.flush()
        await session.refresh(row)
        return self._out(row, ArchiveUploadOut(url=url, headers=headers, expires_at=expires_at))

    async def start(self, session: AsyncSession, user_id: uuid.UUID, import_id: uuid.UUID) -> ImportOut:
        """The archive is in: copy it where only the service writes, then check it (through the
        outbox: a restart never loses it). Starting again answers the import as it is."""
        row = await self._own(session, user_id, import_id, lock=True)
        if row.status != ImportStatus.AWAITING_UPLOAD:
            return self._out(row)
        size = await self.storage.object_size(row.staging_key)
        if size != row.size_bytes:
            detail = (
                "The archive was not uploaded"
                if size is None
                else f"The upload has {size} bytes, not the {row.size_bytes} announced"
            )
            raise ArchiveNotUploaded(detail, import_id=str(row.id))
        # The copy is what is read: bytes PUT to the staging key from now on are never used.
        await self.storage.copy_object(row.staging_key, row.archive_key)
        row.status = ImportStatus.VALIDATING
        await add_event(session, ImportArchiveUploadedV1(import_id=row.id, user_id=user_id), PRODUCER)
        await session.flush()
        return self._out(row)

    async def get(self, session: AsyncSession, user_id: uuid.UUID, import_id: uuid.UUID) -> ImportOut:
        return self._out(await self._own(session, user_id, import_id))

    async def _own(
        self, session: AsyncSession, user_id: uuid.UUID, import_id: uuid.UUID, *, lock: bool = False
    ) -> Import:
        row = await session.get(Import, import_id, with_for_update=lock)
        if row is None or row.user_id != user_id:
            raise ImportNotFound(f"No import {import_id}")
        return row

    def _out(self, row: Import, upload: ArchiveUploadOut | None = None) -> ImportOut:
        if upload is None and row.status == ImportStatus.AWAITING_UPLOAD:
            # Signed afresh, expiring when the first URL does: a GET never extends the upload.
            left = int((row.upload_expires_at - datetime.now(UTC)).total_seconds())
            if left >= 1:
                url, headers, expires_at = self.storage.presign_put(
                    row.staging_key, ZIP_MIME, row.size_bytes, left
                )
                upload = ArchiveUploadOut(url=url, headers=headers, expires_at=expires_at)
        return ImportOut.model_validate(
            {
                "id": row.id,
                "status": row.status,
                "created_at": row.created_at,
                "finished_at": row.finished_at,
                "upload": upload,
                "progress": ImportProgressOut(
                    bytes_read=row.bytes_read,
                    bytes_total=row.size_bytes,
                    scores_total=row.scores_total,
                    scores_stored=row.scores_stored,
                    scores_failed=row.scores_failed,
                ),
                "report": row.report,
                "problem": row.problem,
            }
        )

    # --- the check (spanning: it streams the archive for a while) ---------------------------

    async def run_import(self, db: Database, event: ImportArchiveUploadedV1) -> None:
        """Read the archive once: refuse it (deleting everything of it) or hand its new scores and
        setlists on with ImportAccepted. Transactions: the run's start, the progress and each
        object's number as it streams, the verdict. A redelivery starts a new run, which overtakes
        this one; an erasure of the user stops it."""
        run = await self._begin(db, event)
        if run is None:
            return
        await self._drop_leftovers(run)
        target = _StoredExtraction(self, db, run)
        chunks = self.storage.iter_object(run.archive_key, self.settings.import_read_chunk_bytes)
        try:
            checked = await check_archive(
                chunks,
                limits=ArchiveLimits.from_settings(self.settings, run.free_bytes),
                existing=run.existing,
                target=target,
            )
        except ArchiveRefused as refused:
            await self._conclude_failure(db, run, target, ImportStatus.REFUSED, refused.to_problem())
            return
        except _RunOver:
            await target.drop_own()
            return
        except ObjectMissing:
            problem = _problem("archive-not-uploaded", "Archive not uploaded", "The archive's copy is gone")
            await self._conclude_failure(db, run, target, ImportStatus.FAILED, problem)
            return
        except Exception:
            delivery = current_delivery.get()
            if delivery is None or delivery.retries < self.settings.consumer_max_retries:
                raise  # storage or the database away: the broker tries again later
            log.exception("import %s failed for good", run.import_id)
            problem = _problem(
                "import-failed", "Import failed", "The archive could not be read; please try again later"
            )
            await self._conclude_failure(db, run, target, ImportStatus.FAILED, problem)
            return
        finally:
            await chunks.aclose()
        await self._accept(db, run, target, checked)

    async def _begin(self, db: Database, event: ImportArchiveUploadedV1) -> _Run | None:
        """Take the next run of a validating import, with what the check compares against."""
        async with db.transaction() as session:
            row = await session.get(Import, event.import_id, with_for_update=True)
            if row is None or row.user_id != event.user_id or row.status != ImportStatus.VALIDATING:
                return None  # refused, accepted or erased already: a duplicate delivery
            row.runs += 1
            row.bytes_read = 0
            leftover_multipart, row.multipart_upload_id = row.multipart_upload_id, None
            quota = await session.get(UserQuota, event.user_id)
            hashes = await session.execute(
                sa.select(UserContent.content_hash, UserContent.score_id).where(
                    UserContent.user_id == event.user_id, UserContent.content_hash.is_not(None)
                )
            )
            return _Run(
                import_id=row.id,
                user_id=row.user_id,
                number=row.runs,
                archive_key=row.archive_key,
                staging_key=row.staging_key,
                base=row.objects_written,
                leftover_multipart=leftover_multipart,
                free_bytes=max(quota.total_bytes - quota.used_bytes, 0) if quota is not None else None,
                existing={content_hash: score_id for content_hash, score_id in hashes.all()},
            )

    async def _drop_leftovers(self, run: _Run) -> None:
        """The staging object (copied at the start), and what an earlier run of this import left."""
        if run.leftover_multipart is not None:
            await self.storage.abort_multipart(
                extracted_key(run.user_id, run.import_id, run.base), run.leftover_multipart
            )
        earlier = [extracted_key(run.user_id, run.import_id, number) for number in range(1, run.base + 1)]
        await self.storage.delete_keys([run.staging_key, *earlier])

    async def _accept(
        self, db: Database, run: _Run, target: _StoredExtraction, checked: CheckedArchive
    ) -> None:
        async with db.transaction() as session:
            row = await session.get(Import, run.import_id, with_for_update=True)
            if row is None or row.runs != run.number or row.status != ImportStatus.VALIDATING:
                accepted = False
            else:
                accepted = True
                row.status = ImportStatus.IMPORTING
                row.bytes_read = checked.bytes_read
                row.scores_total = len(checked.scores)
                row.multipart_upload_id = None
                row.report = ImportReportOut(
                    scores_imported=len(checked.scores),
                    duplicates_skipped=[
                        DuplicateSkippedOut(
                            title=duplicate.title,
                            content_hash=duplicate.content_hash,
                            existing_score_id=duplicate.existing_score_id,
                        )
                        for duplicate in checked.duplicates
                    ],
                    setlists=len(checked.setlists),
                    scores_without_file=checked.scores_without_file,
                ).model_dump(mode="json")
                session.add_all(
                    ImportedScoreRow(
                        score_id=score.score_id,
                        import_id=run.import_id,
                        user_id=run.user_id,
                        source_key=score.source_key,
                        status=ImportedScoreStatus.PENDING,
                    )
                    for score in checked.scores
                )
                await add_event(
                    session,
                    ImportAcceptedV1(
                        import_id=run.import_id,
                        user_id=run.user_id,
                        scores=checked.scores,
                        setlists=checked.setlists,
                    ),
                    PRODUCER,
                )
        if not accepted:
            await target.drop_own()
            return
        # Read and committed: the archive is not needed any more (the extracted PDFs are).
        await self.storage.delete_keys([run.archive_key, run.staging_key])

    async def _conclude_failure(
        self,
        db: Database,
        run: _Run,
        target: _StoredExtraction,
        status: ImportStatus,
        problem: dict[str, str],
    ) -> None:
        """Refused (or failed): the problem on the row, then every object of the import deleted."""
        async with db.transaction() as session:
            concluded = await session.execute(
                sa.update(Import)
                .where(
                    Import.id == run.import_id,
                    Import.runs == run.number,
                    Import.status == ImportStatus.VALIDATING,
                )
                .values(status=status, problem=problem, finished_at=sa.func.now(), multipart_upload_id=None)
                .returning(Import.objects_written)
            )
            objects_written = concluded.scalar_one_or_none()
        if objects_written is None:
            await target.drop_own()
            return
        if target.multipart is not None:
            await self.storage.abort_multipart(*target.multipart)
        await self._delete_objects(run.user_id, run.import_id, objects_written)

    async def _delete_objects(
        self,
        user_id: uuid.UUID,
        import_id: uuid.UUID,
        objects_written: int,
        multipart_upload_id: str | None = None,
    ) -> None:
        """Every object an import may have: its archive (and staging copy) and extracted PDFs."""
        if multipart_upload_id is not None and objects_written > 0:
            await self.storage.abort_multipart(
                extracted_key(user_id, import_id, objects_written), multipart_upload_id
            )
        await self.storage.delete_keys(
            [
                staging_archive_key(user_id, import_id),
                archive_key(user_id, import_id),
                *(extracted_key(user_id, import_id, number) for number in range(1, objects_written + 1)),
            ]
        )

    # --- what the other services tell ---------------------------------------------------------

    async def refused_by_files(self, db: Database, event: ImportRefusedV1) -> None:
        """files would not reserve the scores (they no longer fit the quota): refused, nothing
        was created, the extracted PDFs go (after the commit)."""
        async with db.transaction() as session:
            row = await session.get(Import, event.import_id, with_for_update=True)
            if row is None or row.user_id != event.user_id:
                return
            if row.status == ImportStatus.IMPORTING:
                row.status = ImportStatus.REFUSED
                row.problem = _problem("quota-exceeded", "Storage quota exceeded", event.reason)
                row.finished_at = datetime.now(UTC)
                await session.execute(sa.delete(ImportedScoreRow).where(ImportedScoreRow.import_id == row.id))
            elif row.status != ImportStatus.REFUSED:
                return
            objects_written = row.objects_written
        await self._delete_objects(event.user_id, event.import_id, objects_written)

    async def library_imported(self, session: AsyncSession, event: LibraryImportedV1) -> None:
        """The library created the scores files reserved, and the setlists: those left out will
        never be stored (their extracted PDFs go now)."""
        row = await session.get(Import, event.import_id, with_for_update=True)
        if row is None or row.user_id != event.user_id or row.status != ImportStatus.IMPORTING:
            return
        if row.library_imported_at is not None:
            return
        row.library_imported_at = datetime.now(UTC)
        created = set(event.score_ids)
        pending = await session.scalars(
            sa.select(ImportedScoreRow)
            .where(
                ImportedScoreRow.import_id == row.id, ImportedScoreRow.status == ImportedScoreStatus.PENDING
            )
            .with_for_update()
        )
        left_out = [score for score in pending if score.score_id not in created]
        for score in left_out:
            score.status = ImportedScoreStatus.SKIPPED
        row.report = {
            **(row.report or {}),
            "setlists_created": event.setlists_created,
            "setlists_skipped": event.setlists_skipped,
            "scores_skipped": (row.report or {}).get("scores_skipped", 0) + len(left_out),
        }
        await self._settle(session, row)
        if left_out:
            # Never copied by anyone: deleting them twice (a retry of this handler) is harmless.
            await self.storage.delete_keys([score.source_key for score in left_out])

    async def score_stored(self, session: AsyncSession, event: ScoreUploadedV1) -> None:
        """A stored score's content (duplicates are skipped against it); an imported one settled."""
        # A row already there is this score's: the same announcement again, or its tombstone.
        await session.execute(
            insert(UserContent)
            .values(user_id=event.user_id, score_id=event.score_id, content_hash=event.content_hash)
            .on_conflict_do_nothing(index_elements=[UserContent.user_id, UserContent.score_id])
        )
        await self._settle_score(session, event.user_id, event.score_id, ImportedScoreStatus.STORED)

    async def score_rejected(self, session: AsyncSession, event: UploadRejectedV1) -> None:
        """An imported score whose copy failed verification: settled as failed."""
        await self._settle_score(session, event.user_id, event.score_id, ImportedScoreStatus.REJECTED)

    async def score_deleted(self, session: AsyncSession, event: ScoreDeletedV1) -> None:
        """Its content is free again (a tombstone stays); an imported score deleted before it was
        stored is settled."""
        await session.execute(
            insert(UserContent)
            .values(user_id=event.user_id, score_id=event.score_id, content_hash=None)
            .on_conflict_do_update(
                index_elements=[UserContent.user_id, UserContent.score_id], set_={"content_hash": None}
            )
        )
        await self._settle_score(session, event.user_id, event.score_id, ImportedScoreStatus.SKIPPED)

    async def _settle_score(
        self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID, status: ImportedScoreStatus
    ) -> None:
        score = await session.get(ImportedScoreRow, score_id)
        if score is None or score.user_id != user_id:
            return
        # The import's row first: its scores settle one at a time, so the last one sees the others.
        row = await session.get(Import, score.import_id, with_for_update=True)
        score = await session.get(ImportedScoreRow, score_id, with_for_update=True, populate_existing=True)
        if row is None or score is None or row.status != ImportStatus.IMPORTING:
            return
        if score.status != ImportedScoreStatus.PENDING:
            return  # a duplicate delivery
        score.status = status
        if status == ImportedScoreStatus.STORED:
            row.scores_stored += 1
        elif status == ImportedScoreStatus.REJECTED:
            row.scores_failed += 1
        else:
            row.report = {
                **(row.report or {}),
                "scores_skipped": (row.report or {}).get("scores_skipped", 0) + 1,
            }
        await session.flush()
        await self._settle(session, row)

    async def _settle(self, session: AsyncSession, row: Import) -> None:
        """Completed once the library created everything and every score is stored or settled."""
        if row.library_imported_at is None:
            return
        await session.flush()
        pending = await session.scalar(
            sa.select(sa.func.count())
            .select_from(ImportedScoreRow)
            .where(
                ImportedScoreRow.import_id == row.id, ImportedScoreRow.status == ImportedScoreStatus.PENDING
            )
        )
        if not pending:
            row.status = ImportStatus.COMPLETED
            row.finished_at = datetime.now(UTC)

    async def apply_quota(self, session: AsyncSession, event: QuotaChangedV1) -> None:
        """The quota and usage billing announced: an import's new scores must fit what is free."""
        values = {"total_bytes": event.total_bytes, "used_bytes": event.used_bytes}
        await session.execute(
            insert(UserQuota)
            .values(user_id=event.user_id, **values)
            .on_conflict_do_update(index_elements=[UserQuota.user_id], set_=values)
        )

    # --- housekeeping -----------------------------------------------------------------------

    async def expire_abandoned(self, db: Database) -> int:
        """Imports whose archive never came (IMPORT_ABANDONED_AFTER_SECONDS after the upload URL
        expired): failed, and whatever was PUT meanwhile deleted. How many."""
        grace = timedelta(seconds=self.settings.import_abandoned_after_seconds)
        async with db.transaction() as session:
            expired = await session.execute(
                sa.update(Import)
                .where(
                    Import.status == ImportStatus.AWAITING_UPLOAD,
                    Import.upload_expires_at < sa.func.now() - grace,
                )
                .values(
                    status=ImportStatus.FAILED,
                    finished_at=sa.func.now(),
                    problem=_problem(
                        "archive-not-uploaded", "Archive not uploaded", "The archive was not uploaded in time"
                    ),
                )
                .returning(Import.staging_key)
            )
            keys = list(expired.scalars())
        await self.storage.delete_keys(keys)
        return len(keys)

    async def erase_user(self, db: Database, user_id: uuid.UUID) -> None:
        """The user's imports, the scores they created and the projections, then every object of
        their imports (after the commit; a run still reading notices and stops)."""
        async with db.transaction() as session:
            erased = await session.execute(
                sa.delete(Import)
                .where(Import.user_id == user_id)
                .returning(Import.id, Import.objects_written, Import.multipart_upload_id)
            )
            imports = list(erased.all())
            for table in (ImportedScoreRow, UserQuota, UserContent):
                await session.execute(sa.delete(table).where(table.user_id == user_id))
        for import_id, objects_written, multipart_upload_id in imports:
            await self._delete_objects(user_id, import_id, objects_written, multipart_upload_id)

    async def list(
        self, session: AsyncSession, user_id: uuid.UUID, page: int, page_size: int
    ) -> Page[ImportOut]:
        """The user's imports, newest first (last in the class: its name would hide the builtin)."""
        found = await paginate(
            session,
            sa.select(Import)
            .where(Import.user_id == user_id)
            .order_by(Import.created_at.desc(), Import.id.desc()),
            page,
            page_size,
        )
        return Page[ImportOut](
            items=[self._out(row) for row in found.items],
            page=found.page,
            page_size=found.page_size,
            total=found.total,
        )
