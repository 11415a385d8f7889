"""Admin export routes (data-subject requests): thin, every call recorded in the access log."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from scoremate_exports.exports.api import ExportsDep
from scoremate_exports.exports.schemas import ExportOut, ExportRequestIn
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.openapi import problems
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

# Its POST takes an Idempotency-Key (claimed under the admin).
router = APIRouter(prefix="/admin/exports", tags=["admin"], route_class=IdempotentRoute)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Export a user's whole library (a data-subject request)",
    responses=problems(_409="`export-in-progress`: one is being made for the user (its `export_id`)"),
)
async def request_export(
    body: ExportRequestIn, admin: AdminUser, session: SessionDep, exports: ExportsDep
) -> ExportOut:
    """The same archive the user would get, with `requested_by` the admin; recorded as
    `export.request`."""
    return await exports.request_for_user(session, admin, body.user_id)


@router.get("", summary="A user's exports (or everyone's), newest first")
async def list_exports(
    admin: AdminUser,
    session: SessionDep,
    exports: ExportsDep,
    user_id: Annotated[uuid.UUID | None, Query(description="Whose; none: every user's")] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[ExportOut]:
    """Recorded as `export.list`."""
    return await exports.list_for_admin(session, admin, user_id, page, page_size)


@router.get("/{export_id}", summary="Any user's export, with its download URL once completed")
async def get_export(
    export_id: uuid.UUID, admin: AdminUser, session: SessionDep, exports: ExportsDep
) -> ExportOut:
    """Recorded as `export.download`."""
    return await exports.get_for_admin(session, admin, export_id)
