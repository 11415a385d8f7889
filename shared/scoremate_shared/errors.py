"""Domain errors as RFC 9457 problem documents, produced in one place."""

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://scoremate.app/problems/"
PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """An error a client can act on; subclasses set status, slug and title."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        return problem(self.status, self.title, self.detail, self.slug, **self.extra)


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Not authenticated"


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Forbidden"


class PreconditionFailed(ProblemError):
    """An `If-Match` that names none of the resource's current entity tags: it changed since the
    client read it."""

    status, slug, title = 412, "precondition-failed", "Precondition failed"


class InvalidInput(ProblemError):
    """Input that is well-formed JSON but makes no sense (422)."""

    status, slug, title = 422, "validation-error", "Invalid input"


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


def problem(status: int, title: str, detail: str, slug: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def register_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def on_problem(_: Request, exc: ProblemError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        return problem_response(exc.to_problem(), {**headers, **exc.headers})

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(part) for part in err.get("loc", ()) if part != "body"),
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
            for err in exc.errors()
        ]
        fields = ", ".join(e["field"] or "body" for e in errors)
        return problem_response(
            problem(
                422,
                "Invalid input",
                f"Invalid value for: {fields}",
                "validation-error",
                errors=errors,
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return problem_response(problem(exc.status_code, title, str(exc.detail)), dict(exc.headers or {}))

    @app.exception_handler(asyncpg.PostgresError)
    async def on_read_pool_error(request: Request, exc: asyncpg.PostgresError) -> JSONResponse:
        # The hot reads' asyncpg pool (Database.fetch) raises asyncpg's own errors, not SQLAlchemy's:
        # the same answers as below.
        sqlstate = str(exc.sqlstate or "")
        # Class 08 (connection) and 57P (the server shutting down or starting): a retry will do.
        return _database_problem(sqlstate, exc, unavailable=sqlstate.startswith(("08", "57P")))

    @app.exception_handler(DBAPIError)
    async def on_database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")
        unavailable = not isinstance(exc, IntegrityError | DataError | ProgrammingError)
        return _database_problem(sqlstate, exc, unavailable=unavailable)

    @app.exception_handler(Exception)
    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(
            problem(500, "Internal server error", "The server failed; the request id helps support.")
        )


def _database_problem(sqlstate: str, exc: Exception, *, unavailable: bool) -> JSONResponse:
    if sqlstate.startswith("22"):
        # Class 22, data exception: the input holds what PostgreSQL cannot store (a NUL
        # character, an out-of-range number): the client's to fix, not a server failure.
        return problem_response(
            problem(
                422,
                "Invalid input",
                "The input holds characters or values that cannot be stored (such as NUL)",
                "validation-error",
            )
        )
    if unavailable:
        # The database is restarting or unreachable: the client should retry, not give up.
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return problem_response(
            problem(503, "Service unavailable", "The database is unavailable; retry shortly", "unavailable"),
            {"Retry-After": "2"},
        )
    log.exception("database error", exc_info=exc)
    return problem_response(
        problem(500, "Internal server error", "The server failed; the request id helps support.")
    )
