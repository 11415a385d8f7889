"""The report's handler through FastStream's in-memory broker: a redelivered event counts once (the
inbox's doing), in the month the event happened, not the month it was handled."""

import uuid
from datetime import UTC, date, datetime

from scoremate_exports.context import ExportsParts
from scoremate_exports.events import handlers
from scoremate_exports.exports.service import ExportService
from scoremate_exports.imports.service import ImportService
from scoremate_exports.reports.service import ReportService
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.events import EventEnvelope, UserRegisteredV1
from scoremate_shared.storage import ObjectStorage
from scoremate_shared.testing import deliver_twice


async def test_a_redelivered_sign_up_counts_once_in_the_month_it_happened(
    clean_reports: Database, exports_settings: ExportsSettings
):
    storage = ObjectStorage(exports_settings)  # never started: nothing here reaches storage
    reports = ReportService(exports_settings, storage)
    parts = ExportsParts(
        exports=ExportService(exports_settings, storage),
        imports=ImportService(exports_settings, storage),
        reports=reports,
    )
    user_id = uuid.uuid4()
    event = UserRegisteredV1(user_id=user_id, email="a@example.com", referral_code="A", referred_by_code="B")
    envelope = EventEnvelope.wrap(event, "auth").model_copy(
        update={"occurred_at": datetime(2033, 2, 28, 23, 59, tzinfo=UTC)}
    )

    await deliver_twice(
        handlers,
        envelope,
        UserRegisteredV1.routing_key,
        db=clean_reports,
        parts=parts,
        settings=exports_settings,
    )  # the second delivery is a duplicate

    async with clean_reports.session() as session:
        february = await reports.read(session, date(2033, 2, 1))
        march = await reports.read(session, date(2033, 3, 1))
    assert (february.signups, february.referrals) == (1, 1)
    assert (march.signups, march.referrals) == (0, 0)
