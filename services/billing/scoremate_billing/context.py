"""What billing's event handlers are given (`EventContext.parts`): its services, not the runtime."""

from dataclasses import dataclass

from scoremate_billing.export_part import BillingExport
from scoremate_billing.notifications import Notifier
from scoremate_billing.referrals import ReferralService
from scoremate_billing.service import BillingService
from scoremate_shared.messaging.broker import EventContext


@dataclass(frozen=True)
class BillingParts:
    billing: BillingService
    referrals: ReferralService
    notifier: Notifier
    export: BillingExport


BillingEventContext = EventContext[BillingParts]
