"""What the sync service's event handlers are given (`EventContext.parts`): its service, not the runtime."""

from dataclasses import dataclass

from scoremate_shared.messaging.broker import EventContext
from scoremate_sync.service import SyncService


@dataclass(frozen=True)
class SyncParts:
    sync: SyncService


SyncEventContext = EventContext[SyncParts]
