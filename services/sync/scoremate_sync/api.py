"""Sync routes: thin, the decisions are in service.py and stream.py."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.sse import EventSourceResponse, ServerSentEvent

from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import DatabaseDep
from scoremate_shared.openapi import problems
from scoremate_shared.responses import FastJSONResponse
from scoremate_sync.schemas import DEFAULT_LIMIT, MAX_LIMIT, SyncPage
from scoremate_sync.service import SyncService
from scoremate_sync.stream import ChangeStream

router = APIRouter(prefix="/sync", tags=["sync"])

CursorQuery = Annotated[
    str | None,
    Query(max_length=100, description="The `next_cursor` of the last answer; none for everything current"),
]


async def get_sync(request: Request) -> SyncService:
    sync: SyncService = request.app.state.runtime.sync
    return sync


async def get_stream(request: Request) -> ChangeStream:
    stream: ChangeStream = request.app.state.runtime.stream
    return stream


async def stream_start(
    user: CurrentUser,
    sync: Annotated[SyncService, Depends(get_sync)],
    cursor: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Start after this cursor (of GET /sync or an event); none: from now on",
        ),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", max_length=100, description="Set by EventSource when it reconnects"),
    ] = None,
) -> int | None:
    """Where the stream starts: after Last-Event-ID (a reconnect), else after `cursor`, else now.
    Checked before the stream opens, so a bad cursor is a 400 problem, not a broken stream."""
    given = last_event_id or cursor
    return sync.cursors.decode(user.user_id, given) if given else None


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))],
) -> str:
    """The access token itself (CurrentUser has verified it): a long stream checks it again."""
    return credentials.credentials if credentials is not None else ""


SyncDep = Annotated[SyncService, Depends(get_sync)]
StreamDep = Annotated[ChangeStream, Depends(get_stream)]


@router.get(
    "",
    summary="The caller's changes since a cursor",
    response_model=SyncPage,
    responses=problems(
        _400="A cursor not issued to the caller", _410="`cursor-expired`: start again without a cursor"
    ),
)
async def get_changes(
    user: CurrentUser,
    db: DatabaseDep,
    sync: SyncDep,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Changes per answer")] = DEFAULT_LIMIT,
) -> FastJSONResponse:
    """Scores, setlists and thumbnails in commit order; 400 for a cursor not issued to the caller,
    410 `cursor-expired` for one older than the kept deletions (start again without one)."""
    return FastJSONResponse(await sync.page(db, user, cursor, limit))


@router.get(
    "/stream",
    summary="The caller's changes as they happen (Server-Sent Events)",
    response_class=EventSourceResponse,
    responses=problems(_400="A cursor not issued to the caller"),
)
async def stream_changes(
    user: CurrentUser,
    db: DatabaseDep,
    stream: StreamDep,
    after: Annotated[int | None, Depends(stream_start)],
    token: Annotated[str, Depends(bearer_token)],
) -> AsyncIterator[ServerSentEvent]:
    """`event: change` per change (`id:` its cursor, `data:` as in GET /sync), a comment line as a
    heartbeat; `event: reset` when the cursor was too old (sync again without one)."""
    async for event in stream.events(db, user, token, after):
        yield event
