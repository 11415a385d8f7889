"""What the library's event handlers are given (`EventContext.parts`): its services, not the runtime."""

from dataclasses import dataclass

from scoremate_library.archives.service import ArchiveService
from scoremate_library.scores.service import ScoreService
from scoremate_shared.messaging.broker import EventContext


@dataclass(frozen=True)
class LibraryParts:
    scores: ScoreService
    archives: ArchiveService


LibraryEventContext = EventContext[LibraryParts]
