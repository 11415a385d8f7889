"""Billing routes: thin, the decisions are in service.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from scoremate_billing.schemas import PlanOut, UsageOut
from scoremate_billing.service import BillingService
from scoremate_shared.app import SessionDep
from scoremate_shared.auth import CurrentUser

router = APIRouter(prefix="/billing", tags=["billing"])


def get_billing(request: Request) -> BillingService:
    billing: BillingService = request.app.state.runtime.billing
    return billing


BillingDep = Annotated[BillingService, Depends(get_billing)]


@router.get("/plan", summary="The caller's plan and quota")
async def get_plan(user: CurrentUser, session: SessionDep, billing: BillingDep) -> PlanOut:
    """Plan, base quota, referral bonus and total quota in MB."""
    return await billing.plan(session, user.user_id)


@router.get("/usage", summary="The caller's storage usage")
async def get_usage(user: CurrentUser, session: SessionDep, billing: BillingDep) -> UsageOut:
    """Bytes used out of the quota, with the warning level reached."""
    return await billing.usage(session, user.user_id)
