"""Test helpers of the middle tier (a service's logic against a real PostgreSQL): a migrated
database and a session whose work is rolled back. Used by the services' tests only."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from sqlalchemy import Column, Connection, Integer, MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, AsyncTransaction

from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope
from scoremate_shared.idempotency import idempotency_table
from scoremate_shared.messaging.broker import EVENTS_EXCHANGE, EventHandlers
from scoremate_shared.messaging.tables import messaging_metadata
from scoremate_shared.migrations import upgrade_to_head
from scoremate_shared.revocations import RevocationReader, revocations_metadata
from scoremate_shared.settings import ServiceSettings

P = TypeVar("P")


def migrated_database(settings: ServiceSettings, migrations_dir: Path) -> Database:
    """The service's schema migrated to head (blocking: call it in a thread)."""
    upgrade_to_head(settings, migrations_dir)
    return Database(settings)


class RolledBack:
    """`async with RolledBack(db) as session:` a session inside one outer transaction that is rolled
    back at the end; a commit of the code under test only ends a savepoint."""

    _connection: AsyncConnection
    _transaction: AsyncTransaction
    _session: AsyncSession

    def __init__(self, db: Database) -> None:
        self._db = db

    async def __aenter__(self) -> AsyncSession:
        self._connection = await self._db.engine.connect()
        self._transaction = await self._connection.begin()
        self._session = AsyncSession(
            bind=self._connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        await self._session.close()
        await self._transaction.rollback()
        await self._connection.close()


async def schema_differences(db: Database, *metadatas: MetaData) -> list[Any]:
    """What Alembic's autogenerate would change to make the migrated schema match the tables of
    `metadatas` (the service's models and the shared tables it keeps): empty when they agree."""
    metadata = MetaData()
    for each in metadatas:
        for table in each.tables.values():
            table.to_metadata(metadata)

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with db.engine.connect() as connection:
        return await connection.run_sync(compare)


SHARED_TABLES = (messaging_metadata, revocations_metadata)


async def assert_migrations_build_the_models(db: Database, models: MetaData, *kept: MetaData) -> None:
    """The migrated schema is exactly the service's models plus the shared tables it keeps (those of
    every service, and `kept`: such as `idempotency_metadata`)."""
    differences = await schema_differences(db, models, *SHARED_TABLES, *kept)
    assert differences == [], "\n".join(map(str, differences))


async def assert_a_column_added_to_a_model_alone_is_found(
    db: Database, models: MetaData, table: str, *kept: MetaData
) -> None:
    """The comparison is sensitive: a column in a model without its revision is reported."""
    changed = MetaData()
    for each in models.tables.values():
        each.to_metadata(changed)
    changed.tables[table].append_column(Column("added_without_a_revision", Integer))
    differences = await schema_differences(db, changed, *SHARED_TABLES, *kept)
    assert [difference[0] for difference in differences] == ["add_column"]
    assert differences[0][3].name == "added_without_a_revision"


async def deliver_twice(
    handlers: EventHandlers[P],
    envelope: EventEnvelope,
    routing_key: str,
    *,
    db: Database,
    parts: P,
    settings: ServiceSettings,
) -> None:
    """Deliver one event twice (the second a duplicate) to the service's real registrations
    through FastStream's in-memory broker: each delivery runs in the unit of work its
    registration opens and commits against `db`."""
    broker = RabbitBroker()
    revocations = RevocationReader(db, poll_seconds=1.0, retention=timedelta(hours=1))
    handlers.attach(broker, db=db, parts=parts, settings=settings, revocations=revocations)
    async with TestRabbitBroker(broker) as test_broker:
        for _ in range(2):
            await test_broker.publish(
                envelope.model_dump(mode="json"),
                exchange=EVENTS_EXCHANGE,
                routing_key=routing_key,
                message_id=str(envelope.event_id),
            )


async def assert_erasure_forgets_idempotency_keys(
    session: AsyncSession, erase: Callable[[AsyncSession, uuid.UUID], Awaitable[None]], path: str
) -> None:
    """A deleted user's Idempotency-Keys (and the responses kept with them) go with the account;
    another user's stay. `erase(session, user_id)` is the service's own erasure."""
    user_id, other_id = uuid.uuid4(), uuid.uuid4()
    for owner in (user_id, other_id):
        await session.execute(
            sa.insert(idempotency_table).values(
                user_id=owner,
                method="POST",
                path=path,
                key="k",
                request_hash=b"h",
                status_code=200,
                response_headers=[],
                response_body=b"{}",
                expires_at=sa.func.now() + sa.text("interval '1 hour'"),
            )
        )
    await erase(session, user_id)
    owners = (await session.scalars(sa.select(idempotency_table.c.user_id))).all()
    assert user_id not in owners
    assert other_id in owners


class RecordedObjects:
    """An object sink for the middle tier (`scoremate_shared.export_parts.ObjectSink`): what a
    service would PUT to storage, kept in memory by key (the stack tests use the real storage)."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = (body, content_type)

    def json(self, key: str) -> Any:
        return orjson.loads(self.objects[key][0])
