"""Telling the user their usage crossed a threshold: a signed webhook, and e-mail where SMTP is set.

Delivery failures raise, so the broker retries with backoff; receivers dedupe on `event_id`.
"""

import asyncio
import hashlib
import hmac
import json
import smtplib
from email.message import EmailMessage

import httpx

from scoremate_billing.settings import BillingSettings
from scoremate_shared.events import EventEnvelope, UsageThresholdCrossedV1

SIGNATURE_HEADER = "X-ScoreMate-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Notifier:
    def __init__(self, settings: BillingSettings) -> None:
        self.settings = settings

    async def send_webhook(self, event: UsageThresholdCrossedV1, envelope: EventEnvelope) -> bool:
        url, secret = self.settings.notify_webhook_url, self.settings.notify_webhook_secret
        if not url or not secret:
            return False
        body = json.dumps(
            {
                "event_id": str(envelope.event_id),
                "type": envelope.type,
                "data": event.model_dump(mode="json"),
            },
            sort_keys=True,
        ).encode()
        async with httpx.AsyncClient(timeout=self.settings.notify_timeout_seconds) as client:
            response = await client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, body),
                },
            )
        response.raise_for_status()
        return True

    async def send_email(self, event: UsageThresholdCrossedV1, to: str | None) -> bool:
        if not self.settings.smtp_host or not to:
            return False
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to
        message["Subject"] = f"ScoreMate: your library uses {event.threshold}% of your storage"
        message.set_content(
            f"Your scores now take {event.used_bytes / 1024 / 1024:.1f} MB of your "
            f"{event.total_bytes / 1024 / 1024:.0f} MB.\n"
            "Delete scores you no longer need, or move to the Pro plan for more room.\n"
        )
        await asyncio.to_thread(self._deliver, message)
        return True

    def _deliver(self, message: EmailMessage) -> None:
        assert self.settings.smtp_host is not None
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
