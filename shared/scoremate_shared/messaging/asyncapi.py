"""The AsyncAPI document of the events a service consumes, with each message's real schema.

FastStream describes the queues, bindings and routing keys; our subscribers read raw messages
(to dead-letter what cannot be parsed), so the payload schema is filled in here from the event
models: the envelope of EVENTS.md with `data` of that event's model.
"""

import json
from datetime import timedelta
from typing import Any

from faststream.specification import AsyncAPI
from pydantic import create_model

from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, IntegrationEvent
from scoremate_shared.messaging.broker import EventHandlers, create_broker
from scoremate_shared.revocations import RevocationReader
from scoremate_shared.settings import ServiceSettings

SCHEMA_REF = "#/components/schemas/{model}"


def envelope_schema(event_cls: type[IntegrationEvent]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON schema of the envelope carrying `event_cls`, and the schemas it refers to."""
    model = create_model(f"{event_cls.__name__}Message", __base__=EventEnvelope, data=(event_cls, ...))
    schema = model.model_json_schema(ref_template=SCHEMA_REF)
    definitions = schema.pop("$defs", {})
    return schema, definitions


def events_asyncapi(service: str, handlers: EventHandlers[Any]) -> dict[str, Any]:
    # Placeholder connection settings: nothing connects, the document names the broker by host.
    settings = ServiceSettings(
        service_name=service,
        database_url="postgresql+asyncpg://unused@localhost/unused",
        db_schema=service,
        amqp_url="amqp://rabbitmq:5672/",
        jwks_url="http://auth/unused",
    )
    broker = create_broker(settings)
    db = Database(settings)  # an engine that never connects: only the subscribers are described
    revocations = RevocationReader(db, poll_seconds=1.0, retention=timedelta(hours=1))
    handlers.attach(broker, db=db, parts=None, settings=settings, revocations=revocations)
    spec: dict[str, Any] = (
        AsyncAPI(
            broker,
            title=f"ScoreMate {service}: events consumed",
            version="1",
            description="Every queue of this service, the routing key it is bound to on the topic exchange "
            "scoremate.events, and the message it accepts (the EVENTS.md envelope).",
        )
        .to_specification()
        .to_jsonable()
    )
    schemas = spec["components"].setdefault("schemas", {})
    schemas.pop("EmptyPayload", None)
    for queue, event_cls in handlers.consumed:
        schema, definitions = envelope_schema(event_cls)
        schemas.update(definitions)
        schemas[schema["title"]] = schema
        message = spec["components"]["messages"][f"{queue}:SubscribeMessage"]
        message["payload"] = {"$ref": SCHEMA_REF.format(model=schema["title"])}
    # A stable text: committed documents must differ only when a contract does.
    stable: dict[str, Any] = json.loads(json.dumps(spec, sort_keys=True))
    return stable
