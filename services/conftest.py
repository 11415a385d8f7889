"""The middle test tier: each service's logic and migrations against a real PostgreSQL, without
the rest of the stack. One throw-away server per test session, started by the same code as the
stack on its own port (a stack test run can go on beside it); each test works in a transaction
that is rolled back (`scoremate_shared.testing.RolledBack`)."""

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from scoremate_shared.settings import ServiceSettings
from scoremate_stack import Stack, StackConfig

S = TypeVar("S", bound=ServiceSettings)
# Beyond the stack tests' PostgreSQL ports (56432 plus their offset of 0-400).
DATABASE_TIER_PORT = 57432


@pytest.fixture(scope="session")
def database_server() -> Iterator[StackConfig]:
    offset = int(os.environ.get("SCOREMATE_TEST_PORT_OFFSET", "0"))
    run_dir = Path(tempfile.mkdtemp(prefix="scoremate-db-tier-"))
    run_dir.chmod(0o755)  # the postgres user traverses it
    config = StackConfig.for_tests(run_dir, port_offset=offset)
    config = dataclasses.replace(
        config, ports=dataclasses.replace(config.ports, postgres=DATABASE_TIER_PORT + offset)
    )
    stack = Stack(config)
    try:
        stack.start("postgres")
        yield config
    finally:
        stack.down()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def service_settings(database_server: StackConfig) -> Callable[[type[S], str], S]:
    """`service_settings(LibrarySettings, "library")`: what the stack would give that service."""

    def settings_for(settings_cls: type[S], service: str) -> S:
        env = {name.lower(): value for name, value in database_server.service_env(service).items()}
        return settings_cls(**env)

    return settings_for
