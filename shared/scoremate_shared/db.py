"""The async engine and sessions of one service's schema, and a lean pool for hot reads."""

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from opentelemetry import trace
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from scoremate_shared.settings import ServiceSettings

log = logging.getLogger(__name__)
tracer = trace.get_tracer("scoremate.db")

# Tables are unqualified: the connection's search_path puts them in the service's schema.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A connection the server dropped (restart, idle timeout): safe to try a read once more.
_CONNECTION_LOST = (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, ConnectionError)


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    # No pre-ping: a round trip on every checkout costs more than the rare dead connection,
    # which SQLAlchemy detects on use (the pool is then invalidated) and recycling bounds.
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=settings.db_pool_recycle_seconds,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"server_settings": {"search_path": settings.db_schema}},
    )


async def _keep_session_state(connection: asyncpg.Connection) -> None:
    """Reads change no session state (no SET, LISTEN or advisory lock): nothing to reset, so no
    reset query round trip each time a connection goes back to the pool (asyncpg still rolls
    back a transaction left open)."""


async def _init_read_connection(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", encoder=_json_dumps, decoder=orjson.loads, format="text"
        )


class Database:
    """Engine plus session factory (sessions never commit on their own), and a read pool.

    The read pool serves the hottest reads (one score, a page of scores) straight through
    asyncpg: autocommit, no transaction round trips, statements prepared once per connection.
    Everything that writes goes through sessions.
    """

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.engine = create_engine(settings)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._read_pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reading: whatever it did is rolled back when the block ends."""
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends normally, rolled back when it raises.
        Request sessions and event handlers get theirs from the framework; only flows of several
        transactions open their own."""
        async with self.sessions() as session:
            yield session
            await session.commit()

    async def _reads(self) -> asyncpg.Pool:
        if self._read_pool is None:
            url = make_url(self.settings.database_url)
            self._read_pool = await asyncpg.create_pool(
                host=url.host,
                port=url.port,
                user=url.username,
                password=url.password,
                database=url.database,
                min_size=0,
                max_size=self.settings.db_read_pool_size,
                # No idle timer re-armed on every release: a dead connection is retried instead.
                max_inactive_connection_lifetime=0,
                server_settings={"search_path": self.settings.db_schema},
                init=_init_read_connection,
                reset=_keep_session_state,
            )
        return self._read_pool

    @asynccontextmanager
    async def reading(self) -> AsyncIterator["Reader"]:
        """One read connection for several statements (one pool checkout)."""
        pool = await self._reads()
        async with pool.acquire() as connection:
            yield Reader(pool, connection)

    async def fetch(self, sql: str, *args: Any) -> Sequence[asyncpg.Record]:
        """Rows of one read-only statement (see `reading` for several)."""
        pool = self._read_pool or await self._reads()
        return await _fetch_retrying(pool, pool, sql, args)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._read_pool is not None:
            await self._read_pool.close()
            self._read_pool = None
        await self.engine.dispose()


class Reader:
    """Read-only statements on one checked-out connection of the read pool."""

    def __init__(self, pool: asyncpg.Pool, connection: Any) -> None:
        self._pool = pool
        self._connection = connection

    async def fetch(self, sql: str, *args: Any) -> Sequence[asyncpg.Record]:
        return await _fetch_retrying(self._pool, self._connection, sql, args)


async def _fetch_retrying(pool: asyncpg.Pool, source: Any, sql: str, args: tuple[Any, ...]) -> Any:
    """Rows of a statement from `source` (the pool or one of its connections); on a connection
    the server dropped, tried once more on a fresh one. A span only when someone records it."""
    if not trace.get_current_span().is_recording():
        return await _fetch_or_retry(pool, source, sql, args)
    with tracer.start_as_current_span("db.read", attributes={"db.statement": sql}):
        return await _fetch_or_retry(pool, source, sql, args)


async def _fetch_or_retry(pool: asyncpg.Pool, source: Any, sql: str, args: tuple[Any, ...]) -> Any:
    try:
        return await source.fetch(sql, *args)
    except _CONNECTION_LOST:
        log.info("read connection lost; retrying once on a fresh one")
        await pool.expire_connections()
        return await pool.fetch(sql, *args)
