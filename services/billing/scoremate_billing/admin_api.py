"""Admin routes of billing: every user's plan, quota and usage."""

from fastapi import APIRouter

from scoremate_billing.api import BillingDep
from scoremate_billing.schemas import AdminUserOut
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

router = APIRouter(prefix="/admin/users", tags=["admin"])


@router.get("", summary="Users with their plan, quota and usage")
async def list_users(
    admin: AdminUser,
    session: SessionDep,
    billing: BillingDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[AdminUserOut]:
    """Newest accounts first; usage is the ledger's sum."""
    return await billing.list_accounts(session, admin, page, page_size)
