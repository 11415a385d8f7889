"""Export routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from scoremate_exports.exports.schemas import ExportOut
from scoremate_exports.exports.service import ExportService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.openapi import problems
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

# Its POST takes an Idempotency-Key.
router = APIRouter(prefix="/exports", tags=["exports"], route_class=IdempotentRoute)


async def get_exports(request: Request) -> ExportService:
    exports: ExportService = request.app.state.runtime.exports
    return exports


ExportsDep = Annotated[ExportService, Depends(get_exports)]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start an export of the caller's whole library",
    responses=problems(_409="`export-in-progress`: one is being made (its `export_id` in the problem)"),
)
async def create_export(user: CurrentUser, session: SessionDep, exports: ExportsDep) -> ExportOut:
    """Every service writes its part, then one archive is built (README, library.json,
    setlists.json, account.json and every original PDF); follow it with GET /exports/{id}."""
    return await exports.start(session, user.user_id, None)


@router.get("", summary="The caller's exports, newest first")
async def list_exports(
    user: CurrentUser,
    session: SessionDep,
    exports: ExportsDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[ExportOut]:
    """Each with its progress; a completed one with a fresh download URL."""
    return await exports.list_for_user(session, user.user_id, page, page_size)


@router.get("/{export_id}", summary="One export: status, progress, and the download URL once completed")
async def get_export(
    export_id: uuid.UUID, user: CurrentUser, session: SessionDep, exports: ExportsDep
) -> ExportOut:
    """`download_url` is signed afresh on every call (valid at most 5 minutes)."""
    return await exports.get_for_user(session, user.user_id, export_id)


@router.delete(
    "/{export_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an export's archive now"
)
async def delete_export(
    export_id: uuid.UUID, user: CurrentUser, session: SessionDep, exports: ExportsDep
) -> None:
    """The archive is deleted at once (the export stays listed, expired); one being made is
    cancelled (failed). 204 again for one already deleted."""
    await exports.delete_for_user(session, user.user_id, export_id)
