"""Setlist routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from scoremate_library.preconditions import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    READ_RESPONSES,
    WRITE_RESPONSES,
    IfMatchHeader,
    IfNoneMatchHeader,
    versioned,
)
from scoremate_library.setlists.schemas import SetlistCreate, SetlistItemsIn, SetlistOut, SetlistPatch
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

# Its POSTs take an Idempotency-Key (POST /setlists/{id}/items too: harmless, and a retry of it
# then answers the order it set even after another device changed it).
router = APIRouter(prefix="/setlists", tags=["setlists"], route_class=IdempotentRoute)


async def get_setlists(request: Request) -> SetlistService:
    setlists: SetlistService = request.app.state.runtime.setlists
    return setlists


SetlistsDep = Annotated[SetlistService, Depends(get_setlists)]


def _versioned(
    setlist: SetlistOut, status_code: int = status.HTTP_200_OK, location: str | None = None
) -> Response:
    return versioned(setlist.model_dump(mode="json"), status_code, location)


@router.get("", summary="The caller's setlists")
async def list_setlists(
    user: CurrentUser,
    session: SessionDep,
    setlists: SetlistsDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[SetlistOut]:
    """Newest first, each with its items in order."""
    return await setlists.list_setlists(session, user, page, page_size)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an empty setlist",
    response_model=SetlistOut,
    responses=CREATE_RESPONSES,
)
async def create_setlist(
    body: SetlistCreate, user: CurrentUser, session: SessionDep, setlists: SetlistsDep
) -> Response:
    """Title 1 to 200 characters."""
    setlist = await setlists.create(session, user, body)
    return _versioned(setlist, status.HTTP_201_CREATED, location=f"/setlists/{setlist.id}")


@router.get("/{setlist_id}", summary="One setlist", response_model=SetlistOut, responses=READ_RESPONSES)
async def get_setlist(
    setlist_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    setlists: SetlistsDep,
    if_none_match: IfNoneMatchHeader = None,
) -> Response:
    """404 for another user's setlist; 304 when If-None-Match names its ETag."""
    return _versioned(await setlists.get(session, user, setlist_id, if_none_match))


@router.patch(
    "/{setlist_id}",
    summary="Rename or describe a setlist",
    response_model=SetlistOut,
    responses=WRITE_RESPONSES,
)
async def patch_setlist(
    setlist_id: uuid.UUID,
    body: SetlistPatch,
    user: CurrentUser,
    session: SessionDep,
    setlists: SetlistsDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Only the fields sent change."""
    return _versioned(await setlists.patch(session, user, setlist_id, body, if_match))


@router.post(
    "/{setlist_id}/items",
    summary="Replace the whole order of the setlist",
    response_model=SetlistOut,
    responses=WRITE_RESPONSES,
)
async def replace_items(
    setlist_id: uuid.UUID,
    body: SetlistItemsIn,
    user: CurrentUser,
    session: SessionDep,
    setlists: SetlistsDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """A score may appear more than once; 422 when an id is not one of the caller's scores."""
    return _versioned(await setlists.replace_items(session, user, setlist_id, body, if_match))


@router.delete(
    "/{setlist_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a setlist",
    responses=DELETE_RESPONSES,
)
async def delete_setlist(
    setlist_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    setlists: SetlistsDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """The scores stay in the library."""
    await setlists.delete(session, user, setlist_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
