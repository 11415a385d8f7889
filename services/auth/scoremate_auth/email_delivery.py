"""Sending e-mail: the interface, SMTP (the operator's mail server) and, in development only, a
JSON-lines file that developers and tests read (LOG_DIR/mail.jsonl)."""

import asyncio
import json
import smtplib
import ssl
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from scoremate_auth.settings import AuthSettings, EmailDeliveryKind

MAIL_FILE_NAME = "mail.jsonl"


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str


class EmailNotSent(Exception):
    """The mail server refused the message or could not be reached (worth retrying)."""


class EmailDelivery(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...


class SmtpEmailDelivery:
    """smtplib in a thread: one connection per message (verification mail is rare)."""

    def __init__(self, settings: AuthSettings) -> None:
        if not settings.smtp_host:  # AuthSettings refuses this already
            raise ValueError("EMAIL_DELIVERY=smtp needs SMTP_HOST")
        self.host = settings.smtp_host
        self.settings = settings

    async def send(self, email: OutgoingEmail) -> None:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.text)
        try:
            await asyncio.to_thread(self._deliver, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise EmailNotSent(f"{self.host}:{self.settings.smtp_port}: {exc}") from exc

    def _deliver(self, message: EmailMessage) -> None:
        settings = self.settings
        with smtplib.SMTP(self.host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)


class FileEmailDelivery:
    """Development only: one JSON line per message, `{sent_at, to, subject, text}`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, email: OutgoingEmail) -> None:
        line = json.dumps({"sent_at": datetime.now(UTC).isoformat(), **asdict(email)}) + "\n"
        await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line in append mode: the workers of the process never interleave.
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line)


def email_delivery(settings: AuthSettings) -> EmailDelivery:
    if settings.email_delivery is EmailDeliveryKind.SMTP:
        return SmtpEmailDelivery(settings)
    return FileEmailDelivery(settings.log_dir / MAIL_FILE_NAME)
