"""Billing's part of a library export (issue 15): `billing.json`, the plan, the quota and its use,
and everything billing keeps of the account's history: the usage ledger, plan changes, payments,
receipts and referrals (the other side of a referral by its status only, never by who)."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_billing import repository
from scoremate_billing.models import (
    Account,
    HistoryEntry,
    HistoryKind,
    ReferralRedemption,
    UsageEntry,
    UsedReceipt,
)
from scoremate_billing.service import PRODUCER, BillingService
from scoremate_billing.settings import BillingSettings
from scoremate_shared.events import EventEnvelope, ExportRequestedV1
from scoremate_shared.export_parts import ObjectSink, announce_part, write_part_file
from scoremate_shared.messaging.broker import RetryLater

BILLING_FILE = "billing.json"
# How soon a request whose account is not open yet is looked at again.
ACCOUNT_RETRY_SECONDS = 5.0


class BillingExport:
    def __init__(self, settings: BillingSettings, billing: BillingService, sink: ObjectSink) -> None:
        self.settings = settings
        self.billing = billing
        self.sink = sink

    async def write_part(
        self, session: AsyncSession, event: ExportRequestedV1, envelope: EventEnvelope
    ) -> None:
        """billing.json under the export's prefix, announced in the handler's transaction.

        Without an account: a request younger than EXPORT_ACCOUNT_WAIT_SECONDS waits for the
        account's opening (UserRegistered may still be on its way); an older one is of an account
        deleted meanwhile, which gets nothing (the export fails on UserDeleted anyway)."""
        account = await session.get(Account, event.user_id)
        if account is None:
            waited = datetime.now(UTC) - envelope.occurred_at
            if waited < timedelta(seconds=self.settings.export_account_wait_seconds):
                raise RetryLater(ACCOUNT_RETRY_SECONDS, f"billing account of {event.user_id} not open yet")
            return
        document = await self.billing_document(session, account)
        key = await write_part_file(self.sink, event, BILLING_FILE, document)
        await announce_part(session, event, "billing", [key], PRODUCER)

    async def billing_document(self, session: AsyncSession, account: Account) -> dict[str, Any]:
        user_id = account.user_id
        history = (
            await session.scalars(
                sa.select(HistoryEntry)
                .where(HistoryEntry.user_id == user_id)
                .order_by(HistoryEntry.created_at, HistoryEntry.id)
            )
        ).all()
        usage = (
            await session.scalars(
                sa.select(UsageEntry)
                .where(UsageEntry.user_id == user_id)
                .order_by(UsageEntry.created_at, UsageEntry.event_id)
            )
        ).all()
        receipts = (
            await session.scalars(
                sa.select(UsedReceipt)
                .where(UsedReceipt.user_id == user_id)
                .order_by(UsedReceipt.created_at, UsedReceipt.transaction_id)
            )
        ).all()
        return {
            "plan": account.plan,
            "account_opened_at": account.created_at,
            "quota": {
                "total_bytes": self.billing.total_bytes(account),
                "used_bytes": await repository.used_bytes(session, user_id),
                "base_quota_mb": self.billing.base_quota_mb(account.plan),
                "bonus_mb": account.bonus_mb,
            },
            "usage": [
                {"at": e.created_at, "score_id": e.score_id, "delta_bytes": e.delta_bytes, "reason": e.reason}
                for e in usage
            ],
            # Plan changes, payments, refunds and referral bonuses, as GET /billing/history shows them.
            "history": [
                {"kind": h.kind, "amount": h.amount, "meta": h.meta, "created_at": h.created_at}
                for h in history
            ],
            "receipts": [
                {
                    "store": r.store,
                    "transaction_id": r.transaction_id,
                    "plan": r.plan,
                    "created_at": r.created_at,
                }
                for r in receipts
            ],
            "referrals": await self._referrals(session, account, history),
        }

    async def _referrals(
        self, session: AsyncSession, account: Account, history: Sequence[HistoryEntry]
    ) -> dict[str, Any]:
        """The account's own code, the code it was referred by, the accounts it referred (status and
        bonus only) and the bonus megabytes credited for referrals (claw-backs counted off)."""
        redeemed = await session.scalar(
            sa.select(ReferralRedemption).where(ReferralRedemption.user_id == account.user_id)
        )
        referred = await session.scalars(
            sa.select(ReferralRedemption)
            .where(ReferralRedemption.referrer_id == account.user_id)
            .order_by(ReferralRedemption.created_at, ReferralRedemption.id)
        )
        return {
            "code": account.referral_code,
            "referred_by": (
                {
                    "code": redeemed.code,
                    "status": redeemed.status,
                    "bonus_mb": redeemed.bonus_mb,
                    "created_at": redeemed.created_at,
                    "paid_at": redeemed.paid_at,
                }
                if redeemed is not None
                else None
            ),
            "referred": [
                {
                    "status": r.status,
                    "bonus_mb": r.referrer_bonus_mb,
                    "created_at": r.created_at,
                    "paid_at": r.paid_at,
                }
                for r in referred
            ],
            "bonuses_credited_mb": sum(h.amount for h in history if h.kind == HistoryKind.REFERRAL_BONUS),
        }
