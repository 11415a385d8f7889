"""Library decisions: scores, their search, and what processing tells about them."""

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import Score, ScoreCount
from scoremate_library.scores.schemas import ScoreCreate, ScoreOut, ScorePatch, page_sizes_out
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.auth import Principal
from scoremate_shared.errors import Conflict, InvalidInput, NotFound
from scoremate_shared.events import (
    PagesCountedV1,
    ScoreCreatedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    ThumbnailsGeneratedV1,
)
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.upload_token import InvalidUploadToken, verify_upload_token

PRODUCER = "library"
MAX_QUERY_WORDS = 8


class ScoreNotFound(NotFound):
    slug, title = "score-not-found", "Score not found"


class UploadTokenUsed(Conflict):
    slug, title = "upload-token-used", "Upload token already used"


def derive_status(score: Score) -> str:
    """Failed stays failed; ready once page count and cover both exist, in whatever order they came."""
    if score.status == "failed":
        return "failed"
    return "ready" if score.pages is not None and score.cover_key is not None else "processing"


def search_terms(query: str) -> list[str]:
    """Words of a query, LIKE wildcards escaped, at most a few."""
    words = [w for w in re.split(r"\s+", query.strip()) if w][:MAX_QUERY_WORDS]
    return [w[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]


SEARCH_TEXT = Score.search_doc


class ScoreService:
    def __init__(self, settings: LibrarySettings, storage: ObjectStorage, setlists: SetlistService) -> None:
        self.settings = settings
        self.storage = storage
        self.setlists = setlists

    def to_out(self, score: Score) -> ScoreOut:
        thumbnail_url = None
        if score.status == "ready" and score.cover_key:
            # Local computation, no storage round trip: fine for every item of a listing.
            thumbnail_url, _ = self.storage.presign_get(score.cover_key)
        return ScoreOut(
            id=score.id,
            title=score.title,
            composer=score.composer,
            instrumentation=score.instrumentation,
            tags=list(score.tags or []),
            note=score.note,
            status=score.status,
            error=score.error,
            pages=score.pages,
            page_sizes=page_sizes_out(score.page_sizes),
            size_bytes=score.size_bytes,
            mime=score.mime,
            content_hash=score.content_hash,
            thumbnail_url=thumbnail_url,
            filled_from_pdf=list(score.filled_from_pdf or []),
            created_at=score.created_at,
            updated_at=score.updated_at,
        )

    # --- the user's calls -------------------------------------------------------------------

    async def create_score(self, session: AsyncSession, user: Principal, body: ScoreCreate) -> ScoreOut:
        try:
            claim = verify_upload_token(self.settings.upload_token_secret, body.upload_token)
        except InvalidUploadToken as exc:
            raise InvalidInput(f"upload_token: {exc}", field="upload_token") from exc
        if claim.user_id != user.user_id:
            raise InvalidInput("upload_token: issued to another user", field="upload_token")
        if await session.get(Score, claim.score_id) is not None:
            raise UploadTokenUsed("A score was already created with this upload token")
        score = Score(
            id=claim.score_id,
            user_id=user.user_id,
            title=body.title,
            composer=body.composer or None,
            instrumentation=body.instrumentation or None,
            tags=body.tags,
            tags_norm=[tag.casefold() for tag in body.tags],
            note=body.note or None,
            status="processing",
            size_bytes=claim.size_bytes,
            mime=claim.mime,
            content_hash=claim.content_hash,
            object_key=claim.object_key,
            filled_from_pdf=[],
        )
        session.add(score)
        await add_event(session, ScoreCreatedV1(score_id=score.id, user_id=user.user_id), PRODUCER)
        await session.commit()
        await session.refresh(score)
        return self.to_out(score)

    async def _own_score(self, session: AsyncSession, user: Principal, score_id: uuid.UUID) -> Score:
        score = await session.get(Score, score_id)
        if score is None or score.user_id != user.user_id:
            raise ScoreNotFound("No such score")
        return score

    async def get_score(self, session: AsyncSession, user: Principal, score_id: uuid.UUID) -> ScoreOut:
        return self.to_out(await self._own_score(session, user, score_id))

    async def list_scores(
        self,
        session: AsyncSession,
        user: Principal,
        *,
        query: str | None,
        tag: str | None,
        page: int,
        page_size: int,
    ) -> Page[ScoreOut]:
        conditions: list[Any] = [Score.user_id == user.user_id]
        if tag and tag.strip():
            conditions.append(Score.tags_norm.contains([" ".join(tag.split()).casefold()]))
        terms = await self._normalised_terms(session, query)
        for term in terms:
            # A plain parameter as the pattern: the planner can use the trigram index with it.
            conditions.append(SEARCH_TEXT.like(f"%{term}%", escape="\\"))
        order: list[Any] = [Score.created_at.desc(), Score.id]
        if terms:
            order.insert(0, sa.func.similarity(SEARCH_TEXT, " ".join(terms)).desc())
        if len(conditions) == 1:
            total = await session.scalar(
                sa.select(ScoreCount.scores).where(ScoreCount.user_id == user.user_id)
            )
        else:
            total = await session.scalar(sa.select(sa.func.count()).select_from(Score).where(*conditions))
        rows = await session.scalars(
            sa.select(Score)
            .where(*conditions)
            .order_by(*order)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return Page(
            items=[self.to_out(score) for score in rows],
            page=page,
            page_size=page_size,
            total=int(total or 0),
        )

    async def _normalised_terms(self, session: AsyncSession, query: str | None) -> list[str]:
        """The query's words folded exactly as the index folds the columns (unaccent, lower case)."""
        terms = search_terms(query or "")
        if not terms:
            return []
        folded = await session.scalar(sa.select(sa.func.search_text(" ".join(terms))))
        return [t for t in (folded or "").split(" ") if t]

    async def patch_score(
        self, session: AsyncSession, user: Principal, score_id: uuid.UUID, body: ScorePatch
    ) -> ScoreOut:
        score = await self._own_score(session, user, score_id)
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
        await session.commit()
        await session.refresh(score)
        return self.to_out(score)

    async def delete_score(self, session: AsyncSession, user: Principal, score_id: uuid.UUID) -> None:
        score = await self._own_score(session, user, score_id)
        await self.setlists.remove_score(session, score.id)
        await session.delete(score)
        await add_event(session, ScoreDeletedV1(score_id=score.id, user_id=score.user_id), PRODUCER)
        await session.commit()

    # --- what the other services tell ---------------------------------------------------------

    async def _score_for_update(self, session: AsyncSession, score_id: uuid.UUID) -> Score | None:
        return await session.get(Score, score_id, with_for_update=True)

    async def mark_failed(self, session: AsyncSession, score_id: uuid.UUID, reason: str) -> None:
        score = await self._score_for_update(session, score_id)
        if score is None:
            return  # deleted meanwhile
        score.status = "failed"
        score.error = reason[:2000]
        score.updated_at = datetime.now(UTC)

    async def attach_upload(self, session: AsyncSession, event: ScoreUploadedV1) -> None:
        score = await self._score_for_update(session, event.score_id)
        if score is None:
            return
        score.size_bytes, score.mime, score.content_hash = event.size_bytes, event.mime, event.content_hash

    async def attach_pages(self, session: AsyncSession, event: PagesCountedV1) -> None:
        score = await self._score_for_update(session, event.score_id)
        if score is None:
            return
        score.pages = event.pages
        score.page_sizes = [[w, h] for w, h in event.page_sizes]
        score.pdf_metadata = event.pdf_metadata.model_dump()
        author = (event.pdf_metadata.author or "").strip()
        if not score.composer and author:
            score.composer = author[:300]
            score.filled_from_pdf = sorted({*(score.filled_from_pdf or []), "composer"})
        self._advance(score)

    async def attach_cover(self, session: AsyncSession, event: ThumbnailsGeneratedV1) -> None:
        score = await self._score_for_update(session, event.score_id)
        if score is None:
            return
        score.cover_key = event.cover_key
        self._advance(score)

    def _advance(self, score: Score) -> None:
        score.status = derive_status(score)
        score.updated_at = datetime.now(UTC)

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await self.setlists.erase_user(session, user_id)
        await session.execute(sa.delete(Score).where(Score.user_id == user_id))
