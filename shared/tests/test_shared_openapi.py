"""The OpenAPI every service publishes: problem+json errors with their real schema, stable ids."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.security import HTTPBearer
from fastapi.testclient import TestClient
from pydantic import BaseModel

from scoremate_shared.auth import AdminUser
from scoremate_shared.errors import PROBLEM_JSON, register_problem_handlers
from scoremate_shared.openapi import install_openapi, operation_id, problems


class Thing(BaseModel):
    name: str


def _app() -> FastAPI:
    router = APIRouter(prefix="/things", tags=["things"])

    @router.get("")
    async def list_things(page: Annotated[int, Query(ge=1)] = 1) -> list[Thing]:
        return []

    @router.get("/{thing_id}", dependencies=[Depends(HTTPBearer())])
    async def get_thing(thing_id: uuid.UUID) -> Thing:
        return Thing(name="x")

    @router.post("/{thing_id}/mark-read", responses=problems(409, _412="Stale If-Match"))
    async def mark_read_thing(thing_id: uuid.UUID, body: Thing) -> Thing:
        return body

    @router.get("/download-url")
    async def get_download_url() -> Thing:
        return Thing(name="x")

    app = FastAPI(generate_unique_id_function=operation_id)
    register_problem_handlers(app)
    install_openapi(app)
    app.include_router(router)
    return app


def _operations(app: FastAPI) -> dict[str, dict]:
    return {op["operationId"]: op for item in app.openapi()["paths"].values() for op in item.values()}


def test_operation_ids_are_tag_dot_camel_case_without_the_resource_word() -> None:
    assert set(_operations(_app())) == {
        "things.list",
        "things.get",
        "things.markRead",
        "things.getDownloadUrl",
    }


def test_every_error_is_problem_json_and_422_has_its_errors_schema() -> None:
    app = _app()
    document = app.openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    assert "errors" in schemas["ValidationProblem"]["properties"]
    for op in _operations(app).values():
        for status, response in op["responses"].items():
            if int(status) >= 400:
                (media,) = response["content"]
                assert media == PROBLEM_JSON
                expected = "ValidationProblem" if status == "422" else "Problem"
                assert response["content"][media]["schema"]["$ref"].endswith("/" + expected)


def test_common_errors_are_declared_where_they_can_happen() -> None:
    ops = _operations(_app())
    assert "401" in ops["things.get"]["responses"]  # bearer token
    assert "401" not in ops["things.list"]["responses"]
    assert "404" in ops["things.get"]["responses"]  # an id in the path
    assert "404" not in ops["things.list"]["responses"]
    assert "422" in ops["things.list"]["responses"]  # a query parameter
    assert "422" not in ops["things.getDownloadUrl"]["responses"]  # nothing to validate
    mark = ops["things.markRead"]["responses"]
    assert mark["409"]["description"] == "Conflict"
    assert mark["412"]["description"] == "Stale If-Match"


def test_the_validation_problem_schema_matches_what_the_server_answers() -> None:
    app = _app()
    answer = TestClient(app).get("/things", params={"page": 0})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM_JSON
    body = answer.json()
    schema = app.openapi()["components"]["schemas"]["ValidationProblem"]
    assert set(schema["required"]) <= set(body)
    assert set(schema["properties"]["errors"]["items"]["required"]) <= set(body["errors"][0])


def test_routes_behind_the_admin_role_declare_403() -> None:
    app = _app()
    admin = APIRouter(prefix="/admin/things", tags=["admin"])

    @admin.get("")
    async def list_things(principal: AdminUser) -> list[Thing]:
        return []

    app.include_router(admin)
    app.openapi_schema = None
    ops = _operations(app)
    assert "403" in ops["admin.listThings"]["responses"]
    assert "403" not in ops["things.get"]["responses"]
