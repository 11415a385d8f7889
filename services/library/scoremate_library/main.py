"""The library service process: app, broker and lifespan."""

from pathlib import Path

from fastapi import FastAPI

from scoremate_library.context import LibraryParts
from scoremate_library.events import handlers
from scoremate_library.preconditions import NotModified, not_modified_response
from scoremate_library.scores.api import router as scores_router
from scoremate_library.scores.service import ScoreService
from scoremate_library.setlists.api import router as setlists_router
from scoremate_library.setlists.service import SetlistService
from scoremate_library.settings import LibrarySettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage


class LibraryRuntime(ServiceRuntime[LibrarySettings]):
    def __init__(self, settings: LibrarySettings) -> None:
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.setlists = SetlistService()
        self.scores = ScoreService(settings, storage, self.setlists)
        self.handler_parts = LibraryParts(scores=self.scores)


def create_app(settings: LibrarySettings | None = None) -> FastAPI:
    runtime = LibraryRuntime(settings or LibrarySettings())
    app = create_service_app(runtime, title="ScoreMate library", routers=[scores_router, setlists_router])
    app.add_exception_handler(NotModified, not_modified_response)
    return app
