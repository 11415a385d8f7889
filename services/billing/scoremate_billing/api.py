"""Billing routes: thin, the decisions are in service.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from scoremate_billing.referrals import ReferralService
from scoremate_billing.schemas import (
    HistoryEntryOut,
    PlanChangeIn,
    PlanOut,
    RedeemReferralIn,
    RedeemReferralOut,
    UsageOut,
)
from scoremate_billing.service import BillingService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

# Its POSTs (plan, redeem-referral) take an Idempotency-Key.
router = APIRouter(prefix="/billing", tags=["billing"], route_class=IdempotentRoute)


async def get_billing(request: Request) -> BillingService:
    billing: BillingService = request.app.state.runtime.billing
    return billing


async def get_referrals(request: Request) -> ReferralService:
    referrals: ReferralService = request.app.state.runtime.referrals
    return referrals


BillingDep = Annotated[BillingService, Depends(get_billing)]
ReferralsDep = Annotated[ReferralService, Depends(get_referrals)]


@router.get("/plan", summary="The caller's plan and quota")
async def get_plan(user: CurrentUser, session: SessionDep, billing: BillingDep) -> PlanOut:
    """Plan, base quota, referral bonus and total quota in MB."""
    return await billing.plan(session, user.user_id)


@router.get("/usage", summary="The caller's storage usage")
async def get_usage(user: CurrentUser, session: SessionDep, billing: BillingDep) -> UsageOut:
    """Bytes used out of the quota, with the warning level reached."""
    return await billing.usage(session, user.user_id)


@router.post("/plan", summary="Change plan (Pro needs a store receipt)", responses={402: {}, 422: {}})
async def change_plan(
    body: PlanChangeIn, user: CurrentUser, session: SessionDep, billing: BillingDep
) -> PlanOut:
    """402 when the receipt is rejected; the change is in the history."""
    return await billing.change_plan(session, user.user_id, body)


@router.get("/history", summary="Plan changes, payments, refunds and referral bonuses")
async def get_history(
    user: CurrentUser,
    session: SessionDep,
    billing: BillingDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[HistoryEntryOut]:
    """Newest first."""
    return await billing.history(session, user.user_id, page, page_size)


@router.post("/redeem-referral", summary="Redeem someone's referral code", responses={404: {}, 409: {}})
async def redeem_referral(
    body: RedeemReferralIn, user: CurrentUser, session: SessionDep, referrals: ReferralsDep
) -> RedeemReferralOut:
    """Both accounts get the bonus once; own code or a second redemption is 409."""
    return await referrals.redeem_referral(session, user.user_id, body.code)
