"""Library decisions: scores, their search, and what processing tells about them."""

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import ClaimedUpload, Score, ScoreStatus
from scoremate_library.preconditions import check_not_modified, require_version
from scoremate_library.scores.schemas import ScoreCreate, ScorePatch, page_sizes_out
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database, Reader
from scoremate_shared.errors import Conflict, InvalidInput, NotFound
from scoremate_shared.events import (
    PagesCountedV1,
    ScoreChangedV1,
    ScoreCreatedV1,
    ScoreDeletedV1,
    ScoreSnapshot,
    ScoreUploadedV1,
    ThumbnailsGeneratedV1,
)
from scoremate_shared.idempotency import forget_user_keys
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.upload_token import InvalidUploadToken, verify_upload_token

PRODUCER = "library"
MAX_QUERY_WORDS = 8


class ScoreNotFound(NotFound):
    slug, title = "score-not-found", "Score not found"


class UploadTokenUsed(Conflict):
    slug, title = "upload-token-used", "Upload token already used"


def derive_status(score: Score) -> ScoreStatus:
    """Failed stays failed; ready once page count and cover both exist, in whatever order they came."""
    if score.status == ScoreStatus.FAILED:
        return ScoreStatus.FAILED
    if score.pages is not None and score.cover_key is not None:
        return ScoreStatus.READY
    return ScoreStatus.PROCESSING


_MARKUP = re.compile(r"<[^>]*>?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain_text(value: str | None, limit: int = 300) -> str | None:
    """Text from a PDF's metadata as it may be shown: no markup, no control characters, one
    line, capped. A hostile file's `<img onerror=...>` never reaches a client as markup."""
    if value is None:
        return None
    cleaned = " ".join(_CONTROL.sub(" ", _MARKUP.sub(" ", value)).split())[:limit]
    return cleaned or None


def search_terms(query: str) -> list[str]:
    """Words of a query, LIKE wildcards escaped, at most a few."""
    words = [w for w in re.split(r"\s+", query.strip()) if w][:MAX_QUERY_WORDS]
    return [w[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]


# What a Score of the API is read from; hot reads select these columns and nothing else.
SCORE_COLUMNS = (
    "id",
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
    "cover_key",
    "filled_from_pdf",
    "version",
    "created_at",
    "updated_at",
)
SCORE_SELECT = ", ".join(SCORE_COLUMNS)
# SQL below is built from these constants and $n placeholders only; every value is a parameter.
LIBRARY_SIZE_SQL = "SELECT scores, version FROM score_counts WHERE user_id = $1"
GET_SCORE_SQL = f"SELECT {SCORE_SELECT} FROM scores WHERE id = $1 AND user_id = $2"  # noqa: S608


class MatchCounts:
    """How many scores matched a filter, per user and filter, while the user's library version
    stands: paging through one search (or filtering by one tag again) counts its matches once.
    Each worker process keeps its own; bounded, the oldest entry goes first."""

    def __init__(self, size: int = 10_000) -> None:
        self._counts: dict[tuple[Any, ...], tuple[int, int]] = {}
        self._size = size

    def get(self, key: tuple[Any, ...], version: int) -> int | None:
        found = self._counts.get(key)
        return found[1] if found is not None and found[0] == version else None

    def put(self, key: tuple[Any, ...], version: int, count: int) -> None:
        self._counts.pop(key, None)
        if len(self._counts) >= self._size:
            del self._counts[next(iter(self._counts))]
        self._counts[key] = (version, count)


class ScoreService:
    def __init__(self, settings: LibrarySettings, storage: ObjectStorage, setlists: SetlistService) -> None:
        self.settings = settings
        self.storage = storage
        self.setlists = setlists
        self.match_counts = MatchCounts()

    def to_json(self, score: Mapping[str, Any]) -> dict[str, Any]:
        """The Score of the API, from a row of SCORE_COLUMNS (a read) or a loaded Score (a write)."""
        cover = score["cover_key"]
        # Local computation, no storage round trip: fine for every item of a listing.
        ready = score["status"] == ScoreStatus.READY
        thumbnail_url = self.storage.presign_get(cover)[0] if ready and cover else None
        page_sizes = score["page_sizes"]
        return {
            "id": score["id"],
            "title": score["title"],
            "composer": score["composer"],
            "instrumentation": score["instrumentation"],
            "tags": score["tags"] or [],
            "note": score["note"],
            "status": score["status"],
            "error": score["error"],
            "pages": score["pages"],
            "page_sizes": page_sizes_out(page_sizes) if page_sizes is not None else None,
            "size_bytes": score["size_bytes"],
            "mime": score["mime"],
            "content_hash": score["content_hash"],
            "thumbnail_url": thumbnail_url,
            "filled_from_pdf": score["filled_from_pdf"] or [],
            "version": score["version"],
            "created_at": score["created_at"],
            "updated_at": score["updated_at"],
        }

    def loaded_json(self, score: Score) -> dict[str, Any]:
        return self.to_json({column: getattr(score, column) for column in SCORE_COLUMNS})

    async def _publish_change(self, session: AsyncSession, score: Score) -> None:
        """Write a change of the score (the ORM moves its version on) and tell the sync projection,
        from the row in hand. A call that changed nothing writes and tells nothing."""
        if not session.is_modified(score):
            return
        await session.flush()
        await self.publish_snapshot(session, score)

    async def publish_snapshot(self, session: AsyncSession, score: Score) -> None:
        """ScoreChanged with the score as it now stands: snapshot and version of the row in hand."""
        snapshot = ScoreSnapshot(
            id=score.id,
            title=score.title,
            composer=score.composer,
            instrumentation=score.instrumentation,
            tags=score.tags or [],
            note=score.note,
            status=ScoreStatus(score.status).value,
            error=score.error,
            pages=score.pages,
            page_sizes=page_sizes_out(score.page_sizes),
            size_bytes=score.size_bytes,
            mime=score.mime,
            content_hash=score.content_hash,
            cover_key=score.cover_key,
            filled_from_pdf=score.filled_from_pdf or [],
            created_at=score.created_at,
            updated_at=score.updated_at,
        )
        await add_event(
            session,
            ScoreChangedV1(score_id=score.id, user_id=score.user_id, version=score.version, score=snapshot),
            PRODUCER,
        )

    # --- the user's calls -------------------------------------------------------------------

    async def create_score(self, session: AsyncSession, user: Principal, body: ScoreCreate) -> dict[str, Any]:
        try:
            claim = verify_upload_token(self.settings.upload_token_secret, body.upload_token)
        except InvalidUploadToken as exc:
            raise InvalidInput(f"upload_token: {exc}", field="upload_token") from exc
        if claim.user_id != user.user_id:
            raise InvalidInput("upload_token: issued to another user", field="upload_token")
        if not await self.claim_upload(session, claim.score_id):
            raise UploadTokenUsed("A score was already created with this upload token")
        score = await self.add_score(
            session,
            Score(
                id=claim.score_id,
                user_id=user.user_id,
                title=body.title,
                composer=body.composer or None,
                instrumentation=body.instrumentation or None,
                tags=body.tags,
                note=body.note or None,
                size_bytes=claim.size_bytes,
                mime=claim.mime,
                content_hash=claim.content_hash,
                object_key=claim.object_key,
            ),
        )
        return self.loaded_json(score)

    async def claim_upload(self, session: AsyncSession, score_id: uuid.UUID) -> bool:
        """Record that a score is made of this upload; False when one already was (its token, or
        an import's reservation, makes one score only, ever)."""
        claimed = await session.scalar(
            insert(ClaimedUpload)
            .values(score_id=score_id)
            .on_conflict_do_nothing()
            .returning(ClaimedUpload.score_id)
        )
        return claimed is not None

    async def add_score(self, session: AsyncSession, score: Score) -> Score:
        """A new score of a claimed upload (POST /scores, an import): processing, its tags matched
        case-insensitively, ScoreCreated (files verifies the upload) and its first ScoreChanged."""
        score.tags = score.tags or []
        score.tags_norm = [tag.casefold() for tag in score.tags]
        score.status = ScoreStatus.PROCESSING
        score.filled_from_pdf = []
        session.add(score)
        await add_event(session, ScoreCreatedV1(score_id=score.id, user_id=score.user_id), PRODUCER)
        await session.flush()
        await session.refresh(score)
        await self.publish_snapshot(session, score)
        return score

    async def _own_score(
        self, session: AsyncSession, user: Principal, score_id: uuid.UUID, *, for_delete: bool = False
    ) -> Score:
        """The caller's score, its row locked for the change to come: an If-Match compared with
        this version holds until the commit. An edit takes the weaker lock (NO KEY UPDATE), which
        lets a setlist insert items referring to the score meanwhile (no deadlock with it)."""
        score = await session.get(Score, score_id, with_for_update={"key_share": not for_delete})
        if score is None or score.user_id != user.user_id:
            raise ScoreNotFound("No such score")
        return score

    async def get_score(
        self, db: Database, user: Principal, score_id: uuid.UUID, if_none_match: str | None = None
    ) -> dict[str, Any]:
        rows = await db.fetch(GET_SCORE_SQL, score_id, user.user_id)
        if not rows:
            raise ScoreNotFound("No such score")
        check_not_modified(if_none_match, rows[0]["version"])
        return self.to_json(rows[0])

    async def list_scores(
        self,
        db: Database,
        user: Principal,
        *,
        query: str | None,
        tag: str | None,
        page: int,
        page_size: int,
    ) -> dict[str, Any]:
        async with db.reading() as reader:
            return await self._list_scores(reader, user, tag, query, page, page_size)

    async def _list_scores(
        self, reader: Reader, user: Principal, tag: str | None, query: str | None, page: int, page_size: int
    ) -> dict[str, Any]:
        args: list[Any] = [user.user_id]
        conditions = ["user_id = $1"]
        if tag and tag.strip():
            args.append([" ".join(tag.split()).casefold()])
            conditions.append(f"tags_norm @> ${len(args)}")
        for term in await self._normalised_terms(reader, query):
            # A plain parameter as the pattern: the planner can use the trigram index with it.
            args.append(f"%{term}%")
            conditions.append(f"search_doc LIKE ${len(args)} ESCAPE '\\'")
        where = " AND ".join(conditions)
        # Read before counting: a change after this read leaves a newer version, never a stale count.
        library = await reader.fetch(LIBRARY_SIZE_SQL, user.user_id)
        size, version = (library[0]["scores"], library[0]["version"]) if library else (0, 0)
        rows = await reader.fetch(
            f"SELECT {SCORE_SELECT} FROM scores WHERE {where} "  # noqa: S608
            f"ORDER BY created_at DESC, id LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
            *args,
            page_size,
            (page - 1) * page_size,
        )
        if len(conditions) == 1:
            total = size  # the whole library: its size is kept by a trigger
        else:
            key = (where, *(tuple(a) if isinstance(a, list) else a for a in args))
            counted = self.match_counts.get(key, version)
            if counted is None:
                count_sql = f"SELECT count(*) FROM scores WHERE {where}"  # noqa: S608
                counted = (await reader.fetch(count_sql, *args))[0][0]
                self.match_counts.put(key, version, counted)
            total = counted
        return {
            "items": [self.to_json(row) for row in rows],
            "page": page,
            "page_size": page_size,
            "total": total,
        }

    async def _normalised_terms(self, reader: Reader, query: str | None) -> list[str]:
        """The query's words folded exactly as the index folds the columns (unaccent, lower case)."""
        terms = search_terms(query or "")
        if not terms:
            return []
        folded = (await reader.fetch("SELECT search_text($1)", " ".join(terms)))[0][0]
        return [t for t in (folded or "").split(" ") if t]

    async def patch_score(
        self,
        session: AsyncSession,
        user: Principal,
        score_id: uuid.UUID,
        body: ScorePatch,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        score = await self._own_score(session, user, score_id)
        require_version(if_match, score.version, "score")
        title_before = score.title
        changes = body.model_dump(exclude_unset=True)
        for field, value in changes.items():
            if field == "tags":
                score.tags = value or []
                score.tags_norm = [tag.casefold() for tag in score.tags]
            else:
                setattr(score, field, value or None if field != "title" else value)
            if field in (score.filled_from_pdf or []):
                # The user has spoken: PDF metadata never overwrites this field again.
                score.filled_from_pdf = [f for f in score.filled_from_pdf if f != field]
        if changes:
            score.updated_at = datetime.now(UTC)
        await self._publish_change(session, score)
        if score.title != title_before:
            await self.setlists.score_renamed(session, score.id)
        return self.loaded_json(score)

    async def delete_score(
        self, session: AsyncSession, user: Principal, score_id: uuid.UUID, if_match: str | None = None
    ) -> None:
        score = await self._own_score(session, user, score_id, for_delete=True)
        require_version(if_match, score.version, "score")
        await self.setlists.remove_score(session, score.id)
        await session.delete(score)
        await add_event(session, ScoreDeletedV1(score_id=score.id, user_id=score.user_id), PRODUCER)
        await session.flush()

    # --- what the other services tell ---------------------------------------------------------

    async def _score_for_update(self, session: AsyncSession, score_id: uuid.UUID) -> Score | None:
        return await session.get(Score, score_id, with_for_update=True)

    async def mark_failed(self, session: AsyncSession, score_id: uuid.UUID, reason: str) -> None:
        score = await self._score_for_update(session, score_id)
        if score is None:
            return  # deleted meanwhile
        score.status = ScoreStatus.FAILED
        score.error = reason[:2000]
        score.updated_at = datetime.now(UTC)
        await self._publish_change(session, score)

    async def attach_upload(self, session: AsyncSession, event: ScoreUploadedV1) -> None:
        score = await self._score_for_update(session, event.score_id)
        if score is None:
            return
        # The verified facts are those the upload token announced: as a rule, nothing changes.
        score.size_bytes, score.mime, score.content_hash = event.size_bytes, event.mime, event.content_hash
        await self._publish_change(session, score)
        if score.uploaded_at is None:
            # By SQL, beside the ORM's version counter: no change a client sees, no new version.
            await session.execute(
                sa.update(Score)
                .where(Score.id == score.id)
                .values(uploaded_at=sa.func.now())
                .execution_options(synchronize_session=False)
            )

    async def attach_pages(self, session: AsyncSession, event: PagesCountedV1) -> None:
        score = await self._score_for_update(session, event.score_id)
        if score is None:
            return
        score.pages = event.pages
        score.page_sizes = [[w, h] for w, h in event.page_sizes]
        score.pdf_metadata = {
            name: plain_text(value, 1000) if isinstance(value, str) else value
            for name, value in event.pdf_metadata.model_dump().items()
        }
        author = plain_text(event.pdf_metadata.author)
        if not score.composer and author:
            score.composer = author
            score.filled_from_pdf = sorted({*(score.filled_from_pdf or []), "composer"})
        self._advance(score)
        await self._publish_change(session, score)

    async def attach_cover(self, session: AsyncSession, event: ThumbnailsGeneratedV1) -> None:
        score = await self._score_for_update(session, event.score_id)
        if score is None:
            return
        score.cover_key = event.cover_key
        self._advance(score)
        await self._publish_change(session, score)

    def _advance(self, score: Score) -> None:
        score.status = derive_status(score)
        score.updated_at = datetime.now(UTC)

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Everything of the user goes, without an event per score or setlist (the account's
        deletion tells every projection)."""
        await self.setlists.erase_user(session, user_id)
        await session.execute(sa.delete(Score).where(Score.user_id == user_id))
        await forget_user_keys(session, user_id)
