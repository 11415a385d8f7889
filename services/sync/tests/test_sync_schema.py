from scoremate_shared.db import Database
from scoremate_shared.testing import (
    assert_a_column_added_to_a_model_alone_is_found,
    assert_migrations_build_the_models,
)
from scoremate_sync.models import Base


async def test_the_migrations_build_exactly_the_models(sync_db: Database):
    await assert_migrations_build_the_models(sync_db, Base.metadata)


async def test_a_column_added_to_a_model_alone_is_found(sync_db: Database):
    await assert_a_column_added_to_a_model_alone_is_found(sync_db, Base.metadata, "entities")
