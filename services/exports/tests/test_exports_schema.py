from scoremate_exports.models import Base
from scoremate_shared.db import Database
from scoremate_shared.idempotency import idempotency_metadata
from scoremate_shared.testing import (
    assert_a_column_added_to_a_model_alone_is_found,
    assert_migrations_build_the_models,
)


async def test_the_migrations_build_exactly_the_models(exports_db: Database):
    await assert_migrations_build_the_models(exports_db, Base.metadata, idempotency_metadata)


async def test_a_column_added_to_a_model_alone_is_found(exports_db: Database):
    await assert_a_column_added_to_a_model_alone_is_found(
        exports_db, Base.metadata, "exports", idempotency_metadata
    )
