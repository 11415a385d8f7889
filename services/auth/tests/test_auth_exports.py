"""Auth's part of a library export (issue 15) against its migrated schema: profile.json holds the
account as auth keeps it, never a secret, and nothing is written for an account that is gone."""

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_auth.export_part import ProfileExport
from scoremate_auth.models import User
from scoremate_auth.schemas import RegisterIn
from scoremate_auth.service import AuthService
from scoremate_shared.events import ExportRequestedV1
from scoremate_shared.messaging.tables import outbox_table
from scoremate_shared.testing import RecordedObjects


def export_requested(user_id: uuid.UUID) -> ExportRequestedV1:
    export_id = uuid.uuid4()
    return ExportRequestedV1(
        export_id=export_id,
        user_id=user_id,
        attempt=2,
        parts_prefix=f"exports/{user_id}/{export_id}/2/parts/",
    )


async def parts_written(session: AsyncSession, export_id: uuid.UUID) -> list[dict]:
    envelopes = await session.scalars(
        sa.select(outbox_table.c.envelope).where(
            outbox_table.c.envelope["type"].astext == "ExportPartWritten",
            outbox_table.c.envelope["data"]["export_id"].astext == str(export_id),
        )
    )
    return [envelope["data"] for envelope in envelopes]


async def test_the_profile_holds_the_account_and_no_secret(session: AsyncSession, auth_service: AuthService):
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    registered = await auth_service.register(
        session, RegisterIn(email=email, password="correct horse battery")
    )
    user = await session.get(User, registered.id)
    assert user is not None
    user.email_verified_at = user.created_at
    user.roles = ["user", "admin"]
    await session.flush()
    sink, event = RecordedObjects(), export_requested(registered.id)

    await ProfileExport(sink).write_part(session, event)

    key = f"{event.parts_prefix}profile.json"
    body, content_type = sink.objects[key]
    profile = sink.json(key)
    assert content_type == "application/json"
    assert profile == {
        "id": str(registered.id),
        "email": email,
        "created_at": profile["created_at"],
        "email_verified": True,
        "email_verified_at": profile["created_at"],
        "roles": ["admin", "user"],
        "plan": "solo",
        "referral_code": registered.referral_code,
    }
    assert user.password_hash.encode() not in body
    assert b"password" not in body.lower()
    assert await parts_written(session, event.export_id) == [
        {
            "export_id": str(event.export_id),
            "user_id": str(registered.id),
            "attempt": 2,
            "part": "profile",
            "keys": [key],
        }
    ]


async def test_an_account_deleted_meanwhile_gets_nothing_written(session: AsyncSession):
    sink, event = RecordedObjects(), export_requested(uuid.uuid4())
    await ProfileExport(sink).write_part(session, event)
    assert sink.objects == {}
    assert await parts_written(session, event.export_id) == []
