"""The library's side of whole-library archives: its part of an export (one consistent snapshot of
scores and setlists), and the scores and setlists of an import, made as POST /scores and
POST /setlists make them."""

import uuid
from pathlib import PurePosixPath

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.archives.documents import (
    ARCHIVED_SCORE_COLUMNS,
    LIBRARY_FILE,
    SETLISTS_FILE,
    ArchivedSetlist,
    SetlistEntry,
    library_document,
    setlists_document,
)
from scoremate_library.models import Score, Setlist, SetlistItem
from scoremate_library.scores.schemas import normalise_tags
from scoremate_library.scores.service import PRODUCER, ScoreService
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.db import Database
from scoremate_shared.events import (
    EventEnvelope,
    ExportRequestedV1,
    ImportedScore,
    ImportedSetlist,
    ImportFilesReservedV1,
    LibraryImportedV1,
)
from scoremate_shared.export_parts import ObjectSink, announce_part, write_part_file
from scoremate_shared.messaging.inbox import claim_event
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.storage import original_key

# The limits of the API's own bodies (ScoreCreate, SetlistCreate): an archive's text is cut to them.
SCORE_TITLE_CHARS = 300
SCORE_FIELD_CHARS = 300
SCORE_NOTE_CHARS = 5000
TAG_CHARS = 50
MAX_TAGS = 50
SETLIST_TITLE_CHARS = 200
SETLIST_DESCRIPTION_CHARS = 2000


def _cut(value: str | None, limit: int) -> str | None:
    """Stripped and cut to the API's limit; None for nothing."""
    cleaned = (value or "").strip()[:limit].strip()
    return cleaned or None


def imported_score(user_id: uuid.UUID, imported: ImportedScore) -> Score:
    """The new score of an imported one, its fields held to what POST /scores accepts."""
    title = _cut(imported.title, SCORE_TITLE_CHARS) or _cut(
        PurePosixPath(imported.filename).stem, SCORE_TITLE_CHARS
    )
    return Score(
        id=imported.score_id,
        user_id=user_id,
        title=title or "Untitled",
        composer=_cut(imported.composer, SCORE_FIELD_CHARS),
        instrumentation=_cut(imported.instrumentation, SCORE_FIELD_CHARS),
        tags=[tag[:TAG_CHARS].strip() for tag in normalise_tags(imported.tags)][:MAX_TAGS],
        # A note keeps its own line breaks and spacing, as POST /scores does.
        note=imported.note[:SCORE_NOTE_CHARS] if imported.note else None,
        size_bytes=imported.size_bytes,
        mime=imported.mime,
        content_hash=imported.content_hash,
        object_key=original_key(user_id, imported.score_id),
    )


class ArchiveService:
    def __init__(self, sink: ObjectSink, scores: ScoreService, setlists: SetlistService) -> None:
        self.sink = sink
        self.scores = scores
        self.setlists = setlists

    # --- export -----------------------------------------------------------------------------------

    async def write_export_part(
        self, db: Database, event: ExportRequestedV1, envelope: EventEnvelope, consumer: str
    ) -> None:
        """library.json and setlists.json of one moment, then ExportPartWritten.

        One REPEATABLE READ transaction: every read sees the same snapshot, so a setlist never
        names a score library.json lacks, whatever changes commit meanwhile; `as_of` is that
        transaction's now(). The inbox claim, and the announcement through the outbox, are in it:
        a redelivery before its commit writes the same keys again, one after it does nothing."""
        async with db.transaction() as session:
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            if not await claim_event(session, envelope, consumer):
                return
            as_of = await session.scalar(sa.select(sa.func.now()))
            assert as_of is not None
            # Rows of the columns it needs, not loaded scores: a library of 100,000 stays light.
            scores = await session.execute(
                sa.select(*ARCHIVED_SCORE_COLUMNS)
                .where(Score.user_id == event.user_id)
                .order_by(Score.created_at, Score.id)
            )
            keys = [await write_part_file(self.sink, event, LIBRARY_FILE, library_document(as_of, scores))]
            setlists = await self._archived_setlists(session, event.user_id)
            keys.append(
                await write_part_file(self.sink, event, SETLISTS_FILE, setlists_document(as_of, setlists))
            )
            await announce_part(session, event, "library", keys, PRODUCER)

    async def _archived_setlists(self, session: AsyncSession, user_id: uuid.UUID) -> list[ArchivedSetlist]:
        setlists = (
            await session.scalars(
                sa.select(Setlist).where(Setlist.user_id == user_id).order_by(Setlist.created_at, Setlist.id)
            )
        ).all()
        items: dict[uuid.UUID, list[SetlistEntry]] = {setlist.id: [] for setlist in setlists}
        rows = await session.execute(
            sa.select(SetlistItem.setlist_id, SetlistItem.position, SetlistItem.score_id, Score.title)
            .join(Score, Score.id == SetlistItem.score_id)
            .join(Setlist, Setlist.id == SetlistItem.setlist_id)
            .where(Setlist.user_id == user_id)
            .order_by(SetlistItem.setlist_id, SetlistItem.position)
        )
        for setlist_id, position, score_id, title in rows.all():
            items[setlist_id].append(SetlistEntry(score_id=score_id, position=position, title=title))
        return [
            ArchivedSetlist(
                id=setlist.id,
                title=setlist.title,
                description=setlist.description,
                created_at=setlist.created_at,
                updated_at=setlist.updated_at,
                items=items[setlist.id],
            )
            for setlist in setlists
        ]

    # --- import -----------------------------------------------------------------------------------

    async def import_library(self, session: AsyncSession, event: ImportFilesReservedV1) -> None:
        """The scores files reserved, each as POST /scores creates one (ScoreCreated: files copies
        its extracted PDF to the score's key and verifies it), then the setlists in order; then
        LibraryImported. A setlist's item whose score the user does not have (files left it out)
        is dropped; a setlist equal in title and items to one the user already had is skipped."""
        created: list[uuid.UUID] = []
        for imported in event.scores:
            # A score id made once only: an upload already claimed is never a second score.
            if await self.scores.claim_upload(session, imported.score_id):
                await self.scores.add_score(session, imported_score(event.user_id, imported))
                created.append(imported.score_id)
        existing = await self._own_scores(
            session, event.user_id, {i for s in event.setlists for i in s.score_ids}
        )
        already = await self.setlists.orders(session, event.user_id)
        made = skipped = 0
        for setlist in event.setlists:
            title, items = self._setlist_fields(setlist, existing)
            if (title, tuple(items)) in already:
                skipped += 1
                continue
            description = setlist.description[:SETLIST_DESCRIPTION_CHARS] if setlist.description else None
            await self.setlists.add_setlist(session, event.user_id, title, description, items)
            made += 1
        await add_event(
            session,
            LibraryImportedV1(
                import_id=event.import_id,
                user_id=event.user_id,
                score_ids=created,
                setlists_created=made,
                setlists_skipped=skipped,
            ),
            PRODUCER,
        )

    @staticmethod
    def _setlist_fields(setlist: ImportedSetlist, existing: set[uuid.UUID]) -> tuple[str, list[uuid.UUID]]:
        title = _cut(setlist.title, SETLIST_TITLE_CHARS) or "Setlist"
        return title, [score_id for score_id in setlist.score_ids if score_id in existing]

    @staticmethod
    async def _own_scores(
        session: AsyncSession, user_id: uuid.UUID, score_ids: set[uuid.UUID]
    ) -> set[uuid.UUID]:
        if not score_ids:
            return set()
        found = await session.scalars(
            sa.select(Score.id).where(Score.user_id == user_id, Score.id.in_(score_ids))
        )
        return set(found.all())
