"""Setlist routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from scoremate_library.setlists.schemas import SetlistCreate, SetlistItemsIn, SetlistOut, SetlistPatch
from scoremate_library.setlists.service import SetlistService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

router = APIRouter(prefix="/setlists", tags=["setlists"])


async def get_setlists(request: Request) -> SetlistService:
    setlists: SetlistService = request.app.state.runtime.setlists
    return setlists


SetlistsDep = Annotated[SetlistService, Depends(get_setlists)]


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


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an empty setlist")
async def create_setlist(
    body: SetlistCreate, user: CurrentUser, session: SessionDep, setlists: SetlistsDep
) -> SetlistOut:
    """Title 1 to 200 characters."""
    return await setlists.create(session, user, body)


@router.get("/{setlist_id}", summary="One setlist")
async def get_setlist(
    setlist_id: uuid.UUID, user: CurrentUser, session: SessionDep, setlists: SetlistsDep
) -> SetlistOut:
    """404 for another user's setlist."""
    return await setlists.get(session, user, setlist_id)


@router.patch("/{setlist_id}", summary="Rename or describe a setlist")
async def patch_setlist(
    setlist_id: uuid.UUID, body: SetlistPatch, user: CurrentUser, session: SessionDep, setlists: SetlistsDep
) -> SetlistOut:
    """Only the fields sent change."""
    return await setlists.patch(session, user, setlist_id, body)


@router.post("/{setlist_id}/items", summary="Replace the whole order of the setlist")
async def replace_items(
    setlist_id: uuid.UUID, body: SetlistItemsIn, user: CurrentUser, session: SessionDep, setlists: SetlistsDep
) -> SetlistOut:
    """A score may appear more than once; 422 when an id is not one of the caller's scores."""
    return await setlists.replace_items(session, user, setlist_id, body)


@router.delete("/{setlist_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a setlist")
async def delete_setlist(
    setlist_id: uuid.UUID, user: CurrentUser, session: SessionDep, setlists: SetlistsDep
) -> Response:
    """The scores stay in the library."""
    await setlists.delete(session, user, setlist_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
