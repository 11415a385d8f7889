"""Receipt verification for plan purchases: the interface, the operator's HTTP verifier, and the
sandbox of development.

A receipt is identified by its store and the store's transaction id: one such pair buys one plan,
once (the `receipts` table), whoever presents it.
"""

from dataclasses import dataclass
from typing import Protocol

import httpx

from scoremate_billing.settings import BillingSettings, ReceiptVerifierKind
from scoremate_shared.errors import ServiceUnavailable


@dataclass(frozen=True)
class VerifiedReceipt:
    store: str
    transaction_id: str
    plan: str
    amount_cents: int


class ReceiptRejected(Exception):
    """The store says no (or the receipt is not one)."""


class ReceiptStoreUnavailable(ServiceUnavailable):
    slug, title = "receipt-store-unavailable", "The store cannot check receipts right now"


class ReceiptVerifier(Protocol):
    async def verify(self, receipt: str, plan: str) -> VerifiedReceipt: ...


class SandboxReceiptVerifier:
    """Development only: accepts `sandbox:<plan>:<id>` for that plan; anything else is rejected."""

    def __init__(self, price_cents: int) -> None:
        self.price_cents = price_cents

    async def verify(self, receipt: str, plan: str) -> VerifiedReceipt:
        parts = receipt.split(":")
        if len(parts) != 3 or parts[0] != "sandbox" or parts[1] != plan or not parts[2]:
            raise ReceiptRejected(f"the receipt is not a valid sandbox receipt for the {plan} plan")
        return VerifiedReceipt("sandbox", parts[2][:200], plan, self.price_cents)


class HttpReceiptVerifier:
    """Asks the operator's receipt-validation service, which talks to the App Store and Google
    Play: `POST {url}` with `{receipt, plan}` and a bearer secret; 200 with `{valid, store,
    transaction_id, plan, amount_cents}` decides. Its 4xx is a rejection; anything else or no
    answer is a 503 for the client to retry (the receipt stays unused)."""

    def __init__(self, url: str, secret: str, timeout_seconds: float) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout_seconds

    async def verify(self, receipt: str, plan: str) -> VerifiedReceipt:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url,
                    json={"receipt": receipt, "plan": plan},
                    headers={"Authorization": f"Bearer {self.secret}"},
                )
        except httpx.HTTPError as exc:
            raise ReceiptStoreUnavailable("The receipt could not be checked; retry shortly") from exc
        if 400 <= response.status_code < 500:
            raise ReceiptRejected("the store does not recognise this receipt")
        if response.status_code != 200:
            raise ReceiptStoreUnavailable("The receipt could not be checked; retry shortly")
        try:
            answer = response.json()
            verified = VerifiedReceipt(
                store=str(answer["store"]),
                transaction_id=str(answer["transaction_id"]),
                plan=str(answer["plan"]),
                amount_cents=int(answer["amount_cents"]),
            )
            valid = answer["valid"] is True
        except (ValueError, KeyError, TypeError) as exc:
            raise ReceiptStoreUnavailable("The receipt service answered nonsense; retry later") from exc
        if not valid or verified.plan != plan or not verified.transaction_id:
            raise ReceiptRejected(f"the store does not confirm a purchase of the {plan} plan")
        return verified


def receipt_verifier(settings: BillingSettings) -> ReceiptVerifier:
    if settings.receipt_verifier is ReceiptVerifierKind.HTTP:
        url, secret = settings.receipt_verifier_url, settings.receipt_verifier_secret
        if not url or not secret:  # BillingSettings refuses this already
            raise ValueError("RECEIPT_VERIFIER=http needs RECEIPT_VERIFIER_URL and RECEIPT_VERIFIER_SECRET")
        return HttpReceiptVerifier(url, secret, settings.receipt_verifier_timeout_seconds)
    return SandboxReceiptVerifier(settings.pro_price_cents)
