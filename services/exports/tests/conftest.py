import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import scoremate_exports
from scoremate_exports.exports.service import ExportService
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectMissing, ObjectStorage, StorageRequestFailed
from scoremate_shared.testing import RolledBack, migrated_database

MIGRATIONS = Path(scoremate_exports.__file__).parent / "migrations"


@pytest.fixture(scope="session")
def exports_settings(service_settings: Callable[..., ExportsSettings]) -> ExportsSettings:
    return service_settings(ExportsSettings, "exports")


@pytest.fixture(scope="session")
async def exports_db(exports_settings: ExportsSettings) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(migrated_database, exports_settings, MIGRATIONS)
    yield db
    await db.dispose()


@pytest.fixture
async def session(exports_db: Database) -> AsyncIterator[AsyncSession]:
    async with RolledBack(exports_db) as session:
        yield session


# --- reports ------------------------------------------------------------------------------------

REPORT_TABLES = ("monthly_counts", "monthly_active_users", "user_storage", "monthly_report_runs")


@pytest.fixture
async def clean_reports(exports_db: Database) -> AsyncIterator[Database]:
    """The report's flows that commit (erasure, the schedule, a request) run on its tables emptied
    before and after."""

    async def empty() -> None:
        async with exports_db.transaction() as session:
            for table in REPORT_TABLES:
                await session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (constant names)

    await empty()
    yield exports_db
    await empty()


# --- exports ------------------------------------------------------------------------------------


class MemoryObjects:
    """The export's objects for the middle tier (`ExportObjects`): objects and multipart uploads kept
    in memory, presigning by the real ObjectStorage (local computation). The stack tests
    (tests/exports) build archives on SeaweedFS."""

    def __init__(self, presigner: ObjectStorage) -> None:
        self.objects: dict[str, bytes] = {}
        self.uploads: dict[str, tuple[str, dict[int, bytes]]] = {}
        self.aborted: list[str] = []
        self.completed: list[str] = []
        self._presigner = presigner

    def presign_get(
        self, key: str, seconds: int | None = None, *, download_name: str | None = None
    ) -> tuple[str, datetime]:
        return self._presigner.presign_get(key, seconds, download_name=download_name)

    async def iter_object(self, key: str, chunk_bytes: int) -> AsyncIterator[bytes]:
        if key not in self.objects:
            raise ObjectMissing(key)
        data = self.objects[key]
        for start in range(0, len(data), chunk_bytes):
            yield data[start : start + chunk_bytes]

    async def create_multipart(self, key: str, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = (key, {})
        return upload_id

    async def upload_part(self, key: str, upload_id: str, part_number: int, body: bytes) -> str:
        if upload_id not in self.uploads:
            raise StorageRequestFailed(f"NoSuchUpload {upload_id}")
        self.uploads[upload_id][1][part_number] = body
        return f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 (an ETag, as S3 makes it)

    async def complete_multipart(self, key: str, upload_id: str, etags: list[str]) -> None:
        upload_key, parts = self.uploads.pop(upload_id)
        assert upload_key == key
        assert sorted(parts) == list(range(1, len(etags) + 1))
        self.objects[key] = b"".join(parts[number] for number in sorted(parts))
        self.completed.append(upload_id)

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        if self.uploads.pop(upload_id, None) is not None:
            self.aborted.append(upload_id)

    async def delete_keys(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)


@pytest.fixture
def export_objects(exports_settings: ExportsSettings) -> MemoryObjects:
    return MemoryObjects(ObjectStorage(exports_settings))


@pytest.fixture
def export_service(exports_settings: ExportsSettings, export_objects: MemoryObjects) -> ExportService:
    return ExportService(exports_settings, export_objects)
