"""What files' event handlers are given (`EventContext.parts`): its services, not the runtime."""

from dataclasses import dataclass

from scoremate_files.deletions import DeletionService
from scoremate_files.service import FilesService
from scoremate_files.uploads import UploadService
from scoremate_shared.messaging.broker import EventContext


@dataclass(frozen=True)
class FilesParts:
    uploads: UploadService
    files: FilesService
    deletions: DeletionService


FilesEventContext = EventContext[FilesParts]
