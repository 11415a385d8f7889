"""Admin routes of files: a user's object index, the access log, and reconciling bucket and index."""

import uuid
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from scoremate_files.api import FilesDep
from scoremate_files.models import AccessLogEntry, StoredObject
from scoremate_files.schemas import ReconciliationReport
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.pagination import PageQuery, PageSizeQuery

router = APIRouter(prefix="/admin", tags=["admin"])


class AdminObjectOut(BaseModel):
    key: str
    user_id: uuid.UUID
    score_id: uuid.UUID
    kind: str
    page: int | None
    size_bytes: int
    created_at: datetime


class AccessLogOut(BaseModel):
    id: int
    user_id: uuid.UUID
    action: str
    score_id: uuid.UUID | None
    object_key: str | None
    request_id: str | None
    at: datetime


class ObjectsPage(BaseModel):
    items: list[AdminObjectOut]
    page: int
    page_size: int
    total: int


class AccessLogPage(BaseModel):
    items: list[AccessLogOut]
    page: int
    page_size: int
    total: int


@router.get("/files", summary="The object index of one user")
async def list_files(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    user_id: Annotated[uuid.UUID, Query()],
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> ObjectsPage:
    """Every object the user has in the bucket, by score."""
    condition = StoredObject.user_id == user_id
    total = await session.scalar(sa.select(sa.func.count()).select_from(StoredObject).where(condition))
    rows = await session.scalars(
        sa.select(StoredObject)
        .where(condition)
        .order_by(StoredObject.score_id, StoredObject.key)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    items = [AdminObjectOut.model_validate(row, from_attributes=True) for row in rows]
    await record_admin_action(session, request.app.state.runtime, admin, "list_files", str(user_id))
    await session.commit()
    return ObjectsPage(items=items, page=page, page_size=page_size, total=int(total or 0))


@router.get("/access-log", summary="Downloads, deletions and admin actions, filtered")
async def list_access_log(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    user_id: Annotated[uuid.UUID | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> AccessLogPage:
    """Newest first. Admin actions have the action `admin:<what>` and the admin as user."""
    conditions = []
    if user_id is not None:
        conditions.append(AccessLogEntry.user_id == user_id)
    if action:
        conditions.append(AccessLogEntry.action == action)
    if since is not None:
        conditions.append(AccessLogEntry.at >= since)
    if until is not None:
        conditions.append(AccessLogEntry.at < until)
    total = await session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry).where(*conditions))
    rows = await session.scalars(
        sa.select(AccessLogEntry)
        .where(*conditions)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    items = [AccessLogOut.model_validate(row, from_attributes=True) for row in rows]
    await record_admin_action(
        session, request.app.state.runtime, admin, "read_access_log", str(user_id or "all")
    )
    await session.commit()
    return AccessLogPage(items=items, page=page, page_size=page_size, total=int(total or 0))


@router.post(
    "/files/reconcile",
    summary="Compare the bucket with the object index",
    responses={502: {"description": "Storage could not be listed, or listed keys out of order"}},
)
async def reconcile(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    files: FilesDep,
    prefix: Annotated[str, Query(max_length=1024)] = "",
) -> ReconciliationReport:
    """Strays (objects without an index row) and missing objects (rows without an object) under
    `prefix`, counted, with a sample of keys; strays under `staging/` older than the grace period
    are deleted, the rest only reported."""
    runtime = request.app.state.runtime
    report = await files.reconcile(runtime.db, prefix)
    await record_admin_action(session, runtime, admin, "reconcile", prefix or "the whole bucket")
    await session.commit()
    return report
