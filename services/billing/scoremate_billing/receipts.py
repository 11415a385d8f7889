"""Receipt verification for plan purchases: an interface, and the sandbox used in development."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class VerifiedReceipt:
    receipt_id: str
    plan: str
    amount_cents: int


class ReceiptRejected(Exception):
    """The store says no (or the receipt is not one)."""


class ReceiptVerifier(Protocol):
    async def verify(self, receipt: str, plan: str) -> VerifiedReceipt: ...


class SandboxReceiptVerifier:
    """Accepts `sandbox:<plan>:<id>` for that plan; anything else is rejected."""

    def __init__(self, price_cents: int) -> None:
        self.price_cents = price_cents

    async def verify(self, receipt: str, plan: str) -> VerifiedReceipt:
        parts = receipt.split(":")
        if len(parts) != 3 or parts[0] != "sandbox" or parts[1] != plan or not parts[2]:
            raise ReceiptRejected(f"the receipt is not a valid sandbox receipt for the {plan} plan")
        return VerifiedReceipt(receipt_id=parts[2][:200], plan=plan, amount_cents=self.price_cents)
