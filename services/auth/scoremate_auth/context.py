"""What auth's event handlers are given (`EventContext.parts`): its service, not the runtime."""

from dataclasses import dataclass

from scoremate_auth.export_part import ProfileExport
from scoremate_auth.service import AuthService
from scoremate_shared.messaging.broker import EventContext


@dataclass(frozen=True)
class AuthParts:
    auth: AuthService
    profile_export: ProfileExport


AuthEventContext = EventContext[AuthParts]
