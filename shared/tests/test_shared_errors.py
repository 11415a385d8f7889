from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from scoremate_shared.errors import NotFound, register_problem_handlers
from scoremate_shared.http import RequestContextMiddleware
from scoremate_shared.telemetry.tracing import configure_tracing


class Body(BaseModel):
    title: str = Field(min_length=1)


def _app() -> FastAPI:
    configure_tracing("test", None)
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware)
    register_problem_handlers(app)

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("No such score")

    @app.post("/things")
    async def create(body: Body) -> Body:
        return body

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    return app


def test_domain_error_is_a_problem_document():
    response = TestClient(_app()).get("/missing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/not-found")
    assert body["detail"] == "No such score"


def test_validation_error_names_the_field():
    response = TestClient(_app()).post("/things", json={"title": ""})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "title"
    assert "title" in body["detail"]


def test_unexpected_error_leaks_nothing():
    response = TestClient(_app(), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_request_id_is_echoed_and_traceparent_is_set():
    client = TestClient(_app())
    response = client.get("/missing", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    traceparent = response.headers["traceparent"]
    assert traceparent.startswith("00-")
    assert len(traceparent.split("-")[1]) == 32
    generated = client.get("/missing").headers["x-request-id"]
    assert generated
    assert generated != "abc-123"


def test_hostile_request_id_is_replaced():
    response = TestClient(_app()).get("/missing", headers={"X-Request-ID": "bad id\twith<script>"})
    assert response.headers["x-request-id"] != "bad id\twith<script>"
