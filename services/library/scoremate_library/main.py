"""The library service process: app, broker and lifespan."""

from pathlib import Path

from fastapi import FastAPI

from scoremate_library.api import router
from scoremate_library.events import handlers
from scoremate_library.service import LibraryService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage


class LibraryRuntime(ServiceRuntime[LibrarySettings]):
    def __init__(self, settings: LibrarySettings) -> None:
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.library = LibraryService(settings, storage)


def create_app(settings: LibrarySettings | None = None) -> FastAPI:
    runtime = LibraryRuntime(settings or LibrarySettings())
    return create_service_app(runtime, title="ScoreMate library", routers=[router])
