"""E-mail delivery for verification: SMTP against a real local server, the development file, and
the settings that keep production from running without a mail server."""

import json
import socket

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from scoremate_auth.email_delivery import (
    EmailNotSent,
    FileEmailDelivery,
    OutgoingEmail,
    SmtpEmailDelivery,
    email_delivery,
)
from scoremate_auth.settings import AuthSettings

BASE = {
    "database_url": "postgresql+asyncpg://auth:Xq8-long-random@db:5432/scoremate",
    "amqp_url": "amqp://scoremate:Zr4-long-random@mq:5672/",
    "jwks_url": "http://127.0.0.1:1/jwks.json",
    "signing_key_encryption_key": "unit-test-signing-key-encryption-key-0123456789",
    "s3_endpoint_url": "http://s3:8333",
    "s3_public_endpoint_url": "https://files.example.com",
    "s3_access_key": "Ak7-auth-storage-identity",
    "s3_secret_key": "Sk9-a-long-random-storage-key-0123456789",
}
MESSAGE = OutgoingEmail(to="ada@example.com", subject="Confirm", text="token=abc\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Sink:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"


async def test_smtp_delivery_sends_the_message_to_the_server():
    sink, port = _Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = AuthSettings(**BASE, email_delivery="smtp", smtp_host="127.0.0.1", smtp_port=port)
        delivery = email_delivery(settings)
        assert isinstance(delivery, SmtpEmailDelivery)
        await delivery.send(MESSAGE)
    finally:
        controller.stop()
    ((recipients, content),) = sink.received
    assert recipients == ["ada@example.com"]
    assert "Subject: Confirm" in content
    assert "token=abc" in content


async def test_an_unreachable_mail_server_is_email_not_sent():
    settings = AuthSettings(**BASE, email_delivery="smtp", smtp_host="127.0.0.1", smtp_port=_free_port())
    with pytest.raises(EmailNotSent):
        await SmtpEmailDelivery(settings).send(MESSAGE)


async def test_file_delivery_appends_one_json_line_per_message(tmp_path):
    settings = AuthSettings(**BASE, environment="development", log_dir=tmp_path)
    delivery = email_delivery(settings)
    assert isinstance(delivery, FileEmailDelivery)
    await delivery.send(MESSAGE)
    await delivery.send(MESSAGE)
    lines = (tmp_path / "mail.jsonl").read_text().splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["ada@example.com"] * 2
    assert json.loads(lines[0])["text"] == "token=abc\n"


def test_production_needs_smtp_with_a_host():
    with pytest.raises(ValidationError, match="EMAIL_DELIVERY=file"):
        AuthSettings(**BASE)  # production is the default, and so is the file: both must be chosen
    with pytest.raises(ValidationError, match="SMTP_HOST"):
        AuthSettings(**BASE, email_delivery="smtp")
    with pytest.raises(ValidationError, match="development or placeholder secret"):
        AuthSettings(**BASE, email_delivery="smtp", smtp_host="mail", smtp_password="change-me")
    assert AuthSettings(**BASE, email_delivery="smtp", smtp_host="mail").smtp_host == "mail"
    assert AuthSettings(**BASE, environment="development").email_delivery == "file"
    with pytest.raises(ValidationError, match="token"):
        AuthSettings(**BASE, environment="development", email_verification_link="https://x.example/")
