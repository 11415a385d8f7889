"""The QuotaChanged subscriber, through FastStream's in-memory broker."""

import uuid
from contextlib import asynccontextmanager

from faststream.rabbit import TestRabbitBroker

from scoremate_auth.events import handlers
from scoremate_auth.settings import AuthSettings
from scoremate_shared.events import EventEnvelope, QuotaChangedV1
from scoremate_shared.messaging.broker import EVENTS_EXCHANGE, create_broker

SETTINGS = AuthSettings(
    database_url="postgresql+asyncpg://auth:pw@127.0.0.1:1/none",
    amqp_url="amqp://guest:guest@127.0.0.1:1/",
    jwks_url="http://127.0.0.1:1/jwks.json",
    signing_key_encryption_key="unit-test-signing-key-encryption-key-0123456789",
    email_delivery="smtp",
    smtp_host="127.0.0.1",
)


class _RecordingAuth:
    def __init__(self):
        self.plans = []

    async def project_plan(self, session, user_id, plan, occurred_at):
        self.plans.append((user_id, plan, occurred_at))


class _NoDatabase:
    @asynccontextmanager
    async def session(self):
        yield object()


class _Runtime:
    def __init__(self):
        self.db = _NoDatabase()
        self.auth = _RecordingAuth()


async def test_quota_changed_updates_the_plan_projection():
    broker = create_broker(SETTINGS)
    runtime = _Runtime()
    handlers.attach(broker, runtime, SETTINGS)
    assert handlers.queues == ["auth.access-revoked", "auth.quota-changed", "auth.verification-email"]
    user_id = uuid.uuid4()
    envelope = EventEnvelope.wrap(
        QuotaChangedV1(user_id=user_id, plan="pro", total_bytes=1, used_bytes=0, reason="plan_changed"),
        "billing",
    )
    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            envelope.model_dump(mode="json"), exchange=EVENTS_EXCHANGE, routing_key=QuotaChangedV1.routing_key
        )
    assert runtime.auth.plans == [(user_id, "pro", envelope.occurred_at)]
