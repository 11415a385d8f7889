"""Admin routes of files: a user's object index, the access log, and reconciling bucket and index."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from scoremate_files.api import FilesDep
from scoremate_files.reconciliation import Reconciler
from scoremate_files.schemas import AccessLogFilter, AccessLogOut, AdminObjectOut, ReconciliationReport
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import DatabaseDep, SessionDep
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

router = APIRouter(prefix="/admin", tags=["admin"])


async def get_reconciler(request: Request) -> Reconciler:
    reconciler: Reconciler = request.app.state.runtime.reconciler
    return reconciler


ReconcilerDep = Annotated[Reconciler, Depends(get_reconciler)]


@router.get("/files", summary="The object index of one user")
async def list_files(
    admin: AdminUser,
    session: SessionDep,
    files: FilesDep,
    user_id: Annotated[uuid.UUID, Query()],
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[AdminObjectOut]:
    """Every object the user has in the bucket, by score."""
    return await files.list_objects(session, admin, user_id, page, page_size)


@router.get("/access-log", summary="Downloads, deletions and admin actions, filtered")
async def list_access_log(
    admin: AdminUser,
    session: SessionDep,
    files: FilesDep,
    user_id: Annotated[uuid.UUID | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[AccessLogOut]:
    """Newest first. Admin actions have the action `admin:<what>` and the admin as user."""
    wanted = AccessLogFilter(user_id=user_id, action=action, since=since, until=until)
    return await files.list_access_log(session, admin, wanted, page, page_size)


@router.post(
    "/files/reconcile",
    summary="Compare the bucket with the object index",
    responses={502: {"description": "Storage could not be listed, or listed keys out of order"}},
)
async def reconcile(
    admin: AdminUser,
    db: DatabaseDep,
    reconciler: ReconcilerDep,
    prefix: Annotated[str, Query(max_length=1024)] = "",
) -> ReconciliationReport:
    """Strays (objects without an index row) and missing objects (rows without an object) under
    `prefix`, counted, with a sample of keys; strays under `staging/` older than the grace period
    are deleted, the rest only reported. The run spans several transactions (its row, the
    comparison, its result): the route takes the database, not one session."""
    return await reconciler.reconcile(db, admin, prefix)
