"""The export routes on the migrated schema (no stack: the app without its lifespan, a test principal
instead of token verification, objects in memory): shapes, status codes, problems, Idempotency-Key,
and the admin's routes."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from scoremate_exports.exports.service import ExportService
from scoremate_exports.main import create_app
from scoremate_exports.settings import ExportsSettings
from scoremate_shared.auth import Principal, current_principal
from scoremate_shared.db import Database

EXPORT_FIELDS = {
    "id",
    "status",
    "requested_by",
    "as_of",
    "progress",
    "size_bytes",
    "scores",
    "setlists",
    "created_at",
    "completed_at",
    "expires_at",
    "download_url",
    "download_expires_at",
    "error",
}


async def _principal_from_headers(request: Request) -> Principal:
    roles = frozenset(filter(None, request.headers.get("x-test-roles", "").split(",")))
    return Principal(uuid.UUID(request.headers["x-test-user"]), roles)


@pytest.fixture
def exports_app(
    exports_db: Database, exports_settings: ExportsSettings, export_service: ExportService
) -> FastAPI:
    app = create_app(exports_settings)
    app.state.db = exports_db  # the migrated test database; no lifespan runs
    app.state.runtime.exports = export_service  # its objects in memory
    app.dependency_overrides[current_principal] = _principal_from_headers
    return app


@pytest.fixture
async def client(exports_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=exports_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://exports") as client:
        yield client


def user() -> dict[str, str]:
    return {"x-test-user": str(uuid.uuid4())}


def admin() -> dict[str, str]:
    return {"x-test-user": str(uuid.uuid4()), "x-test-roles": "admin"}


async def test_an_export_is_accepted_then_a_second_one_is_a_409_problem_naming_it(client: httpx.AsyncClient):
    me = user()
    started = await client.post("/exports", headers=me)
    assert started.status_code == 202, started.text
    body = started.json()
    assert set(body) == EXPORT_FIELDS
    assert (body["status"], body["requested_by"], body["download_url"]) == ("collecting", None, None)
    assert body["progress"] == {
        "parts_received": 0,
        "parts_expected": 3,
        "scores_total": None,
        "scores_packed": 0,
    }

    again = await client.post("/exports", headers=me)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"] == "https://scoremate.app/problems/export-in-progress"
    assert again.json()["export_id"] == body["id"]

    shown = await client.get(f"/exports/{body['id']}", headers=me)
    assert (shown.status_code, shown.json()["id"]) == (200, body["id"])
    listed = await client.get("/exports", headers=me)
    assert (listed.json()["total"], [item["id"] for item in listed.json()["items"]]) == (1, [body["id"]])


async def test_a_retried_post_with_its_idempotency_key_answers_the_first_export(client: httpx.AsyncClient):
    me = {**user(), "Idempotency-Key": "export-1"}
    first = await client.post("/exports", headers=me)
    second = await client.post("/exports", headers=me)
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"


async def test_another_users_export_is_404_to_read_and_to_delete(client: httpx.AsyncClient):
    started = await client.post("/exports", headers=user())
    path = f"/exports/{started.json()['id']}"
    stranger = user()
    assert (await client.get(path, headers=stranger)).status_code == 404
    assert (await client.delete(path, headers=stranger)).status_code == 404
    assert (await client.get(f"/exports/{uuid.uuid4()}", headers=stranger)).status_code == 404
    assert (await client.get("/exports/not-a-uuid", headers=stranger)).status_code == 422


async def test_deleting_an_export_being_made_cancels_it_and_frees_the_user(client: httpx.AsyncClient):
    me = user()
    started = await client.post("/exports", headers=me)
    path = f"/exports/{started.json()['id']}"
    deleted = await client.delete(path, headers=me)
    assert (deleted.status_code, deleted.content) == (204, b"")
    shown = (await client.get(path, headers=me)).json()
    assert shown["status"] == "failed"
    assert "cancelled" in shown["error"]
    assert (await client.delete(path, headers=me)).status_code == 204
    assert (await client.post("/exports", headers=me)).status_code == 202


async def test_an_admin_exports_any_users_library_and_a_user_may_not(client: httpx.AsyncClient):
    owner, operator = user(), admin()
    refused = await client.post("/admin/exports", headers=owner, json={"user_id": owner["x-test-user"]})
    assert refused.status_code == 403

    started = await client.post("/admin/exports", headers=operator, json={"user_id": owner["x-test-user"]})
    assert started.status_code == 202, started.text
    assert started.json()["requested_by"] == operator["x-test-user"]
    # It is the owner's export: they see it, and cannot start another meanwhile.
    assert (await client.get(f"/exports/{started.json()['id']}", headers=owner)).status_code == 200
    assert (await client.post("/exports", headers=owner)).status_code == 409

    listed = await client.get("/admin/exports", params={"user_id": owner["x-test-user"]}, headers=operator)
    assert [item["id"] for item in listed.json()["items"]] == [started.json()["id"]]
    shown = await client.get(f"/admin/exports/{started.json()['id']}", headers=operator)
    assert (shown.status_code, shown.json()["id"]) == (200, started.json()["id"])
    assert (await client.get(f"/admin/exports/{uuid.uuid4()}", headers=operator)).status_code == 404
    assert (await client.get("/admin/exports", headers=owner)).status_code == 403
    bad = await client.post("/admin/exports", headers=operator, json={"user_id": "nobody"})
    assert bad.status_code == 422
