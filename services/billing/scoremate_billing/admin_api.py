"""Admin routes of billing: every user's plan, quota and usage."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel

from scoremate_billing.models import Account, UsageEntry
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.pagination import PageQuery, PageSizeQuery

router = APIRouter(prefix="/admin/users", tags=["admin"])


class AdminUserOut(BaseModel):
    user_id: uuid.UUID
    plan: str
    total_quota_bytes: int
    used_bytes: int
    created_at: datetime


class AdminUsersPage(BaseModel):
    items: list[AdminUserOut]
    page: int
    page_size: int
    total: int


@router.get("", summary="Users with their plan, quota and usage")
async def list_users(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> AdminUsersPage:
    """Newest accounts first; usage is the ledger's sum."""
    runtime = request.app.state.runtime
    billing = runtime.billing
    total = await session.scalar(sa.select(sa.func.count()).select_from(Account))
    accounts = list(
        (
            await session.scalars(
                sa.select(Account)
                .order_by(Account.created_at.desc(), Account.user_id)
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        ).all()
    )
    usage_rows = await session.execute(
        sa.select(UsageEntry.user_id, sa.func.sum(UsageEntry.delta_bytes))
        .where(UsageEntry.user_id.in_([a.user_id for a in accounts]))
        .group_by(UsageEntry.user_id)
    )
    used = {user_id: int(total_bytes or 0) for user_id, total_bytes in usage_rows.all()}
    await record_admin_action(session, runtime, admin, "list_users", f"page {page}")
    await session.commit()
    return AdminUsersPage(
        items=[
            AdminUserOut(
                user_id=a.user_id,
                plan=a.plan,
                total_quota_bytes=billing.total_bytes(a),
                used_bytes=used.get(a.user_id, 0),
                created_at=a.created_at,
            )
            for a in accounts
        ],
        page=page,
        page_size=page_size,
        total=int(total or 0),
    )
