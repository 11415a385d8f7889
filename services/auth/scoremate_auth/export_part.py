"""Auth's part of a library export (issue 15): `profile.json`, the account as auth keeps it. Never
a password hash, a token or a signing key."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_auth.models import User
from scoremate_auth.service import PRODUCER
from scoremate_shared.events import ExportRequestedV1
from scoremate_shared.export_parts import ObjectSink, announce_part, write_part_file

PROFILE_FILE = "profile.json"


def profile_document(user: User) -> dict[str, Any]:
    """The account: who, since when, whether the address is verified (and when), its roles, the
    plan auth last heard of, and the referral code to share. Auth has no display name, and does
    not keep the code used at sign-up (billing's part names the referral)."""
    return {
        "id": user.id,
        "email": user.email,
        "created_at": user.created_at,
        "email_verified": user.email_verified_at is not None,
        "email_verified_at": user.email_verified_at,
        "roles": sorted(user.roles),
        "plan": user.plan,
        "referral_code": user.referral_code,
    }


class ProfileExport:
    def __init__(self, sink: ObjectSink) -> None:
        self.sink = sink

    async def write_part(self, session: AsyncSession, event: ExportRequestedV1) -> None:
        """profile.json under the export's prefix, announced in the handler's transaction; nothing
        for an account deleted meanwhile (the export fails on UserDeleted anyway)."""
        user = await session.get(User, event.user_id)
        if user is None:
            return
        key = await write_part_file(self.sink, event, PROFILE_FILE, profile_document(user))
        await announce_part(session, event, "profile", [key], PRODUCER)
