"""Alembic for one schema: each service migrates its own schema when it starts."""

import asyncio
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from scoremate_shared.settings import ServiceSettings


def upgrade_to_head(settings: ServiceSettings, migrations_dir: Path) -> None:
    """Run the service's migrations up to head (blocking; call it in a thread)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["database_url"] = settings.database_url
    config.attributes["schema"] = settings.db_schema
    command.upgrade(config, "head")


def run_migrations_online(target_metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py`."""
    config = context.config
    url = config.attributes.get("database_url") or os.environ["DATABASE_URL"]
    schema = config.attributes.get("schema") or os.environ["DB_SCHEMA"]

    def migrate(connection: Connection) -> None:
        # Two instances starting together (processor x2) must not migrate at the same time.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            include_schemas=False,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(main())
