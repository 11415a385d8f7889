"""What every service's OpenAPI document says beyond FastAPI's defaults, so that a client generator
can trust it: errors are `application/problem+json` with their real schema (422 included, with its
`errors[]`), operation ids are stable names (`scores.list`, `files.getDownloadUrl`), and the errors
every route can give (401 with a bearer token, 404 with an id in the path, 503 while the database
is away) are declared once here instead of on every route."""

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from scoremate_shared.auth import ADMIN_ROLE
from scoremate_shared.errors import PROBLEM_BASE, PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem document; some carry more members (such as `existing_score_id`).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": f"`{PROBLEM_BASE}<slug>` or `about:blank`"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "additionalProperties": True,
}
VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ValidationProblem",
    "type": "object",
    "description": "422: which fields are wrong and why.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        **PROBLEM_SCHEMA["properties"],
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message", "type"],
                "properties": {
                    "field": {"type": "string", "description": "Dotted path, e.g. `query.page`"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
# FastAPI's own error models: our handlers never answer with them (errors.py).
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def problems(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the problems it can answer beyond the common ones, each with its
    standard phrase or a description given as `_409="Already redeemed"`."""
    responses: dict[int | str, dict[str, Any]] = {
        status: {"description": HTTPStatus(status).phrase} for status in statuses
    }
    for key, description in described.items():
        responses[int(key.lstrip("_"))] = {"description": description}
    return responses


def operation_id(route: APIRoute) -> str:
    """`<tag>.<camelCase name>`, the resource word dropped from the name: `list_scores` of the
    `scores` router is `scores.list`, `get_download_url` of `files` is `files.getDownloadUrl`."""
    tag = str(route.tags[0]) if route.tags else "operations"
    name = route.name
    for word in (tag, tag.removesuffix("s")):
        for pattern in (rf"_{word}$", rf"^{word}_"):
            shorter = re.sub(pattern, "", name)
            if shorter and shorter != name:
                name = shorter
                break
    head, *rest = name.split("_")
    return f"{tag}.{head}{''.join(part.capitalize() for part in rest)}"


def _problem_content(status: int | str) -> dict[str, Any]:
    schema = "ValidationProblem" if str(status) == "422" else "Problem"
    return {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def add_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Every error response of the document as problem+json, plus the errors common to all routes."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ValidationProblem"] = VALIDATION_PROBLEM_SCHEMA
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            security = operation.get("security", [])
            if security:
                responses.setdefault("401", {"description": "Missing, invalid, expired or revoked token"})
            if any(ADMIN_ROLE in roles for requirement in security for roles in requirement.values()):
                responses.setdefault("403", {"description": "The token lacks the admin role"})
            if "{" in path:
                responses.setdefault("404", {"description": "Not found, or another user's"})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("422", {"description": "Invalid input"})
            responses.setdefault("503", {"description": "A dependency is unavailable; retry shortly"})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = _problem_content(status)
                    if not response.get("description"):
                        response["description"] = HTTPStatus(int(status)).phrase
    return document


def install_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Replace the app's document builder with one that adds the problems (built once, cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = add_problem_responses(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return openapi
