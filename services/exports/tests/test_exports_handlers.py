"""The export's handler through FastStream's in-memory broker: ExportPartWritten is a spanning flow
(no inbox claim: it is idempotent on its own), so the last part delivered twice builds one archive
and finishes the export once."""

import hashlib
import uuid

import orjson
import sqlalchemy as sa

from scoremate_exports.context import ExportsParts
from scoremate_exports.events import handlers
from scoremate_exports.exports.service import ExportService, archive_key, parts_prefix
from scoremate_exports.imports.service import ImportService
from scoremate_exports.models import Export, ExportStatus
from scoremate_exports.reports.service import ReportService
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, ExportFinishedV1, ExportPartWrittenV1
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.storage import ObjectStorage, original_key
from scoremate_shared.testing import deliver_twice


async def test_the_last_part_delivered_twice_builds_one_archive_and_finishes_once(
    exports_db: Database, exports_settings: ExportsSettings, export_service: ExportService, export_objects
):
    user_id, score_id = uuid.uuid4(), uuid.uuid4()
    original = b"%PDF-1.4\n" + hashlib.shake_256(score_id.bytes).digest(5000)
    export_objects.objects[original_key(user_id, score_id)] = original
    async with exports_db.transaction() as session:
        export_id = (await export_service.start(session, user_id, None)).id
    prefix = parts_prefix(user_id, export_id, 1)
    library = {
        "format_version": 1,
        "as_of": "2026-03-14T09:26:53+00:00",
        "scores": [
            {
                "id": str(score_id),
                "title": "Air",
                "size_bytes": len(original),
                "content_hash": hashlib.sha256(original).hexdigest(),
                "file": f"scores/Air - {str(score_id)[:8]}.pdf",
            }
        ],
    }
    documents = {
        "library.json": library,
        "setlists.json": {"format_version": 1, "as_of": library["as_of"], "setlists": []},
        "profile.json": {"email": "ada@example.com"},
        "billing.json": {"plan": "solo"},
    }
    for name, value in documents.items():
        export_objects.objects[f"{prefix}{name}"] = orjson.dumps(value)
    for part, names in (("library", ["library.json", "setlists.json"]), ("profile", ["profile.json"])):
        await export_service.record_part(
            exports_db,
            ExportPartWrittenV1(
                export_id=export_id, user_id=user_id, attempt=1, part=part, keys=[prefix + n for n in names]
            ),
        )
    storage = ObjectStorage(exports_settings)  # never started: the export's objects are in memory
    parts = ExportsParts(
        exports=export_service,
        imports=ImportService(exports_settings, storage),
        reports=ReportService(exports_settings, storage),
    )
    last = ExportPartWrittenV1(
        export_id=export_id, user_id=user_id, attempt=1, part="billing", keys=[f"{prefix}billing.json"]
    )

    await deliver_twice(
        handlers,
        EventEnvelope.wrap(last, "billing"),
        ExportPartWrittenV1.routing_key,
        db=exports_db,
        parts=parts,
        settings=exports_settings,
    )  # the second delivery is a duplicate

    async with exports_db.session() as session:
        export = await session.get(Export, export_id)
        finished = (
            await session.scalars(
                sa.select(outbox_table.c.envelope).where(
                    outbox_table.c.routing_key == ExportFinishedV1.routing_key,
                    outbox_table.c.envelope["data"]["export_id"].astext == str(export_id),
                )
            )
        ).all()
    assert export is not None
    assert export.status == ExportStatus.COMPLETED
    assert len(export_objects.completed) == 1
    assert archive_key(user_id, export_id) in export_objects.objects
    assert [envelope["data"]["status"] for envelope in finished] == ["completed"]
