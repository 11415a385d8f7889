import sqlalchemy as sa

from scoremate_billing.models import Base
from scoremate_shared.db import Database
from scoremate_shared.messaging.tables import messaging_metadata
from scoremate_shared.revocations import revocations_metadata
from scoremate_shared.testing import schema_differences

TABLES = (Base.metadata, messaging_metadata, revocations_metadata)


async def test_the_migrations_build_exactly_the_models(billing_db: Database):
    differences = await schema_differences(billing_db, *TABLES)
    assert differences == [], "\n".join(map(str, differences))


async def test_a_column_added_to_a_model_alone_is_found(billing_db: Database):
    models = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(models)
    models.tables["usage_ledger"].append_column(sa.Column("note", sa.Text))
    differences = await schema_differences(billing_db, models, messaging_metadata, revocations_metadata)
    assert [d[0] for d in differences] == ["add_column"]
    assert differences[0][3].name == "note"
