import sqlalchemy as sa

from scoremate_processor.models import Base
from scoremate_shared.db import Database
from scoremate_shared.messaging.tables import messaging_metadata
from scoremate_shared.revocations import revocations_metadata
from scoremate_shared.testing import schema_differences

TABLES = (Base.metadata, messaging_metadata, revocations_metadata)


async def test_the_migrations_build_exactly_the_models(processor_db: Database):
    differences = await schema_differences(processor_db, *TABLES)
    assert differences == [], "\n".join(map(str, differences))


async def test_a_column_added_to_a_model_alone_is_found(processor_db: Database):
    models = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(models)
    models.tables["tasks"].append_column(sa.Column("priority", sa.Integer))
    differences = await schema_differences(processor_db, models, messaging_metadata, revocations_metadata)
    assert [d[0] for d in differences] == ["add_column"]
    assert differences[0][3].name == "priority"
