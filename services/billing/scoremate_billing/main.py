"""The billing service process: app, broker and lifespan."""

from pathlib import Path

from fastapi import FastAPI

from scoremate_billing.admin_api import router as admin_router
from scoremate_billing.api import router
from scoremate_billing.context import BillingParts
from scoremate_billing.events import handlers
from scoremate_billing.export_part import BillingExport
from scoremate_billing.notifications import Notifier
from scoremate_billing.receipts import receipt_verifier
from scoremate_billing.referrals import ReferralService
from scoremate_billing.service import BillingService
from scoremate_billing.settings import BillingSettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage


class BillingRuntime(ServiceRuntime[BillingSettings]):
    def __init__(self, settings: BillingSettings) -> None:
        # Storage only for its part of an export (deploy/storage-policies/billing.json: nothing else).
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.billing = BillingService(settings, receipt_verifier(settings))
        self.referrals = ReferralService(settings, self.billing)
        self.notifier = Notifier(settings)
        self.handler_parts = BillingParts(
            billing=self.billing,
            referrals=self.referrals,
            notifier=self.notifier,
            export=BillingExport(settings, self.billing, storage),
        )


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    runtime = BillingRuntime(settings or BillingSettings())
    return create_service_app(runtime, title="ScoreMate billing", routers=[router, admin_router])
