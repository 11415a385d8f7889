import hashlib
import hmac

import pytest
from pydantic import ValidationError

from scoremate_billing.notifications import sign
from scoremate_billing.receipts import ReceiptRejected, SandboxReceiptVerifier
from scoremate_billing.referrals import mailbox_key
from scoremate_billing.service import crossed_thresholds
from scoremate_billing.settings import BillingSettings

MB = 1024 * 1024


def test_thresholds_are_announced_once_per_crossing_and_rearmed_below():
    warned = {80: False, 95: False}
    crossed, warned = crossed_thresholds(79 * MB, 100 * MB, warned)
    assert crossed == []
    crossed, warned = crossed_thresholds(81 * MB, 100 * MB, warned)
    assert crossed == [80]
    crossed, warned = crossed_thresholds(90 * MB, 100 * MB, warned)
    assert crossed == []
    crossed, warned = crossed_thresholds(96 * MB, 100 * MB, warned)
    assert crossed == [95]
    crossed, warned = crossed_thresholds(50 * MB, 100 * MB, warned)
    assert (crossed, warned) == ([], {80: False, 95: False})
    crossed, _ = crossed_thresholds(99 * MB, 100 * MB, warned)
    assert crossed == [80, 95]


async def test_sandbox_receipts_are_accepted_for_their_plan_only():
    verifier = SandboxReceiptVerifier(price_cents=499)
    verified = await verifier.verify("sandbox:pro:order-1", "pro")
    assert (verified.store, verified.transaction_id, verified.amount_cents) == ("sandbox", "order-1", 499)
    for receipt in ("sandbox:solo:order-1", "sandbox:pro:", "apple:pro:1", "garbage"):
        with pytest.raises(ReceiptRejected):
            await verifier.verify(receipt, "pro")


def test_webhook_signature_is_hmac_sha256_of_the_body():
    body = b'{"a": 1}'
    expected = hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert sign("secret", body) == f"sha256={expected}"


REAL = {
    "database_url": "postgresql+asyncpg://billing:Xq8-long-random@db:5432/scoremate",
    "amqp_url": "amqp://scoremate:Zr4-long-random@mq:5672/",
    "jwks_url": "http://auth:8000/auth/.well-known/jwks.json",
    "referral_email_hash_secret": "Kp2-a-long-random-mailbox-hash-key-0123456789",
    "s3_endpoint_url": "http://s3:8333",
    "s3_public_endpoint_url": "https://files.example.com",
    "s3_access_key": "Ak7-billing-storage-identity",
    "s3_secret_key": "Sk9-a-long-random-storage-key-0123456789",
}


def test_sandbox_receipts_are_refused_outside_development():
    with pytest.raises(ValidationError, match="sandbox gives plans away"):
        BillingSettings(**REAL, environment="production", receipt_verifier="sandbox")
    with pytest.raises(ValidationError, match="sandbox gives plans away"):
        BillingSettings(**REAL)  # production is the default, and so is the sandbox: both must be chosen
    assert BillingSettings(**REAL, environment="development").receipt_verifier == "sandbox"
    http = BillingSettings(
        **REAL,
        receipt_verifier="http",
        receipt_verifier_url="https://r.example/v",
        receipt_verifier_secret="a-real-secret",
    )
    assert http.receipt_verifier == "http"
    with pytest.raises(ValidationError, match="RECEIPT_VERIFIER_URL"):
        BillingSettings(**REAL, receipt_verifier="http")


def test_a_webhook_needs_its_own_secret():
    with pytest.raises(ValidationError, match="NOTIFY_WEBHOOK_SECRET"):
        BillingSettings(**REAL, environment="development", notify_webhook_url="https://h.example/x")


def test_one_mailbox_has_one_key_whatever_the_spelling():
    assert mailbox_key("Ada.Lovelace+scores@Example.com") == "ada.lovelace@example.com"
    assert mailbox_key("ada.lovelace+a+b@example.com") == "ada.lovelace@example.com"
    assert mailbox_key("A.da.Lovelace+x@googlemail.com") == mailbox_key("adalovelace@gmail.com")
    assert mailbox_key("+only-a-tag@example.com") == "+only-a-tag@example.com"
    assert mailbox_key("ada@example.com") != mailbox_key("ada@example.org")


def test_production_refuses_the_development_mailbox_hash_secret():
    real = {k: v for k, v in REAL.items() if k != "referral_email_hash_secret"}
    receipts = {
        "receipt_verifier": "http",
        "receipt_verifier_url": "https://r.example/v",
        "receipt_verifier_secret": "a-real-secret",
    }
    with pytest.raises(ValidationError, match="referral_email_hash_secret"):
        BillingSettings(**real, **receipts)
    assert BillingSettings(**real, environment="development").referral_clawback_days == 30
