"""Score routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from scoremate_library.preconditions import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    IF_NONE_MATCH_PARAMETER,
    READ_RESPONSES,
    WRITE_RESPONSES,
    IfMatchHeader,
    versioned,
)
from scoremate_library.scores.schemas import ScoreCreate, ScoreOut, ScorePatch
from scoremate_library.scores.service import ScoreService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import DatabaseDep, SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery
from scoremate_shared.responses import FastJSONResponse

# POST /scores takes an Idempotency-Key.
router = APIRouter(prefix="/scores", tags=["scores"], route_class=IdempotentRoute)


async def get_scores(request: Request) -> ScoreService:
    scores: ScoreService = request.app.state.runtime.scores
    return scores


ScoresDep = Annotated[ScoreService, Depends(get_scores)]


@router.get("", summary="The caller's scores, searched and filtered", response_model=Page[ScoreOut])
async def list_scores(
    user: CurrentUser,
    db: DatabaseDep,
    scores: ScoresDep,
    query: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> FastJSONResponse:
    """Newest first; `query` matches partial words, case- and accent-insensitively."""
    return FastJSONResponse(
        await scores.list_scores(db, user, query=query, tag=tag, page=page, page_size=page_size)
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a score from an upload token",
    response_model=ScoreOut,
    responses=CREATE_RESPONSES,
)
async def create_score(
    body: ScoreCreate, user: CurrentUser, session: SessionDep, scores: ScoresDep
) -> Response:
    """422 for an invalid, expired or foreign token; 409 when the token was already used."""
    score = await scores.create_score(session, user, body)
    return versioned(score, status.HTTP_201_CREATED, location=f"/scores/{score['id']}")


@router.get(
    "/{score_id}",
    summary="One score",
    response_model=ScoreOut,
    responses=READ_RESPONSES,
    openapi_extra=IF_NONE_MATCH_PARAMETER,
)
async def get_score(
    score_id: uuid.UUID, request: Request, user: CurrentUser, db: DatabaseDep, scores: ScoresDep
) -> Response:
    """404 for an unknown score or another user's; 304 when If-None-Match names its ETag."""
    if_none_match = request.headers.get("if-none-match")
    return versioned(await scores.get_score(db, user, score_id, if_none_match))


@router.patch(
    "/{score_id}",
    summary="Change title, composer, instrumentation, tags or note",
    response_model=ScoreOut,
    responses=WRITE_RESPONSES,
)
async def patch_score(
    score_id: uuid.UUID,
    body: ScorePatch,
    user: CurrentUser,
    session: SessionDep,
    scores: ScoresDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Only the fields sent change; null clears an optional one."""
    return versioned(await scores.patch_score(session, user, score_id, body, if_match))


@router.delete(
    "/{score_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a score",
    responses=DELETE_RESPONSES,
)
async def delete_score(
    score_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    scores: ScoresDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Its objects leave the bucket and its bytes the quota within seconds."""
    await scores.delete_score(session, user, score_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
