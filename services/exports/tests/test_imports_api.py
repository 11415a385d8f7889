"""The /imports routes on the migrated schema (the app without its lifespan, a test principal
instead of token verification, storage in memory): their statuses and problems."""

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI, Request

from scoremate_exports.imports.service import ImportService, staging_archive_key
from scoremate_exports.main import create_app
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.auth import Principal, current_principal
from scoremate_shared.db import Database
from scoremate_shared.storage import ObjectStorage

PROBLEMS = "https://scoremate.app/problems/"


class StagedObjects(ObjectStorage):
    """What `start` asks of storage, in memory."""

    objects: dict[str, bytes]

    async def object_size(self, key: str) -> int | None:
        return len(self.objects[key]) if key in self.objects else None

    async def copy_object(self, source: str, target: str) -> None:
        self.objects[target] = self.objects[source]


async def _principal_from_header(request: Request) -> Principal:
    return Principal(uuid.UUID(request.headers["x-test-user"]))


@pytest.fixture(scope="module")
def storage(service_settings: Callable[..., ExportsSettings]) -> StagedObjects:
    storage = StagedObjects(service_settings(ExportsSettings, "exports"))
    storage.objects = {}
    return storage


@pytest.fixture(scope="module")
def imports_app(
    exports_db: Database, service_settings: Callable[..., ExportsSettings], storage: StagedObjects
) -> FastAPI:
    settings = service_settings(ExportsSettings, "exports")
    app = create_app(settings)
    app.state.db = exports_db  # the migrated test database; no lifespan runs
    app.state.runtime.imports = ImportService(settings, storage)
    app.dependency_overrides[current_principal] = _principal_from_header
    return app


@pytest.fixture
async def client(imports_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=imports_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://exports") as client:
        yield client


def user() -> dict[str, str]:
    return {"x-test-user": str(uuid.uuid4())}


async def test_an_import_is_created_uploaded_started_and_read(
    client: httpx.AsyncClient, storage: StagedObjects
):
    caller = user()

    created = await client.post("/imports", json={"size_bytes": 4}, headers=caller)
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "awaiting_upload"
    assert body["upload"]["method"] == "PUT"
    assert body["upload"]["headers"] == {"Content-Type": "application/zip", "Content-Length": "4"}

    early = await client.post(f"/imports/{body['id']}/start", headers=caller)
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["type"] == PROBLEMS + "archive-not-uploaded"
    assert early.json()["import_id"] == body["id"]

    storage.objects[staging_archive_key(uuid.UUID(caller["x-test-user"]), uuid.UUID(body["id"]))] = b"PK.."
    started = await client.post(f"/imports/{body['id']}/start", headers=caller)
    assert started.status_code == 202
    assert started.json()["status"] == "validating"
    assert started.json()["upload"] is None

    one = await client.get(f"/imports/{body['id']}", headers=caller)
    listed = await client.get("/imports", headers=caller)
    assert one.status_code == 200
    assert one.json()["progress"] == {
        "bytes_read": 0,
        "bytes_total": 4,
        "scores_total": 0,
        "scores_stored": 0,
        "scores_failed": 0,
    }
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]


async def test_another_users_import_is_404(client: httpx.AsyncClient):
    created = (await client.post("/imports", json={"size_bytes": 4}, headers=user())).json()

    for response in (
        await client.get(f"/imports/{created['id']}", headers=user()),
        await client.post(f"/imports/{created['id']}/start", headers=user()),
    ):
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEMS + "import-not-found"


async def test_an_archive_above_the_limit_is_413_and_an_empty_one_422(
    client: httpx.AsyncClient, service_settings: Callable[..., ExportsSettings]
):
    limit = service_settings(ExportsSettings, "exports").import_max_archive_bytes

    too_large = await client.post("/imports", json={"size_bytes": limit + 1}, headers=user())
    empty = await client.post("/imports", json={"size_bytes": 0}, headers=user())

    assert too_large.status_code == 413
    assert too_large.json()["type"] == PROBLEMS + "archive-too-large"
    assert too_large.json()["max_bytes"] == limit
    assert empty.status_code == 422
