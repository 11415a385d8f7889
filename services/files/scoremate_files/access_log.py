"""The access log: who asked for which object, or deleted it, and every admin action of any service."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.models import ADMIN_ACTION_PREFIX, AccessAction, AccessLogEntry
from scoremate_shared.events import AdminActionRecordedV1
from scoremate_shared.telemetry.logs import request_id_var


def log_access(
    session: AsyncSession,
    user_id: uuid.UUID,
    action: AccessAction,
    score_id: uuid.UUID | None,
    key: str | None,
) -> None:
    """An entry of the session's transaction, with the request that caused it."""
    session.add(
        AccessLogEntry(
            user_id=user_id, action=action, score_id=score_id, object_key=key, request_id=request_id_var.get()
        )
    )


def log_admin_action(session: AsyncSession, event: AdminActionRecordedV1) -> None:
    """An admin action, under the admin, as `admin:<what>`."""
    session.add(
        AccessLogEntry(
            user_id=event.actor_id,
            action=f"{ADMIN_ACTION_PREFIX}{event.action}",
            object_key=f"{event.service}: {event.target}"[:1000],
            request_id=event.request_id,
        )
    )
