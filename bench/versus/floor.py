"""The floor: what one Python process allows for the library's two hot reads on this box.

Starlette + asyncpg + orjson, no ORM, no dependency injection: GET /scores (page 1 and on, the
library's query, JSON fields and `total` from its score_counts table) and GET /scores/{id}, with
ES256 access tokens verified against the auth service's JWKS (each token once, then cached by its
signature until it expires) and a presigned cover URL per item. It connects as the library's role.

    python -m bench.versus.floor --port 18999     # with the library service's environment
"""

import argparse
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import jwt
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scoremate_shared.auth import TokenVerifier
from scoremate_shared.errors import PROBLEM_JSON, InvalidInput, NotFound, ProblemError, Unauthorized
from scoremate_shared.settings import StorageSettings
from scoremate_shared.storage import ObjectStorage

COLUMNS = (
    "id, title, composer, instrumentation, tags, note, status, error, pages, page_sizes, size_bytes, "
    "mime, content_hash, cover_key, filled_from_pdf, created_at, updated_at, version"
)
# Constants only in these f-strings; the values are bound parameters.
LIST_SQL = f"SELECT {COLUMNS} FROM scores WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"  # noqa: S608
TOTAL_SQL = "SELECT scores FROM score_counts WHERE user_id = $1"
ONE_SQL = f"SELECT {COLUMNS} FROM scores WHERE id = $1 AND user_id = $2"  # noqa: S608
MAX_CACHED_TOKENS = 10_000


class FloorSettings(StorageSettings):
    """The names of the library's environment that the floor needs."""

    database_url: str
    db_schema: str = "library"
    jwks_url: str
    jwt_issuer: str = "scoremate-auth"
    jwt_audience: str = "scoremate"


class TokenCache:
    """Verified tokens by signature until their `exp`: an ES256 verification per token, not per request."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier
        self._verified: dict[str, tuple[str, uuid.UUID, float]] = {}

    async def user_id(self, authorization: str | None) -> uuid.UUID:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Missing bearer token")
        signed, _, signature = token.strip().rpartition(".")
        hit = self._verified.get(signature)
        # The signed part must match too: a known signature on another payload is no hit.
        if hit is not None and hit[0] == signed and hit[2] > time.time():
            return hit[1]
        principal = await self._verifier.verify(token.strip())
        expires = float(jwt.decode(token.strip(), options={"verify_signature": False})["exp"])
        if len(self._verified) >= MAX_CACHED_TOKENS:
            self._verified.clear()
        self._verified[signature] = (signed, principal.user_id, expires)
        return principal.user_id


class Floor:
    def __init__(self, settings: FloorSettings) -> None:
        self.settings = settings
        self.storage = ObjectStorage(settings)
        self.tokens = TokenCache(
            TokenVerifier(settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        )
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the floor is not started")
        return self._pool

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.settings.database_url.replace("postgresql+asyncpg://", "postgresql://"),
            min_size=2,
            max_size=10,
            server_settings={"search_path": self.settings.db_schema},
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    def item(self, row: asyncpg.Record) -> dict[str, Any]:
        """ScoreOut's fields in ScoreOut's order."""
        cover = row["cover_key"]
        page_sizes = row["page_sizes"]  # jsonb arrives as its text: passed through, not parsed
        return {
            "id": str(row["id"]),  # asyncpg's own UUID type, which orjson does not know
            "title": row["title"],
            "composer": row["composer"],
            "instrumentation": row["instrumentation"],
            "tags": row["tags"],
            "note": row["note"],
            "status": row["status"],
            "error": row["error"],
            "pages": row["pages"],
            "page_sizes": orjson.Fragment(page_sizes) if page_sizes is not None else None,
            "size_bytes": row["size_bytes"],
            "mime": row["mime"],
            "content_hash": row["content_hash"],
            "thumbnail_url": (
                self.storage.presign_get(cover)[0] if cover and row["status"] == "ready" else None
            ),
            "filled_from_pdf": row["filled_from_pdf"],
            "version": row["version"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    async def list_scores(self, request: Request) -> Response:
        user_id = await self.tokens.user_id(request.headers.get("authorization"))
        page = int_param(request, "page", 1, 1_000_000)
        page_size = int_param(request, "page_size", 20, 100)
        async with self.pool.acquire() as connection:
            total = await connection.fetchval(TOTAL_SQL, user_id)
            rows = await connection.fetch(LIST_SQL, user_id, page_size, (page - 1) * page_size)
        body = {
            "items": [self.item(r) for r in rows],
            "page": page,
            "page_size": page_size,
            "total": total or 0,
        }
        return json_response(body)

    async def get_score(self, request: Request) -> Response:
        user_id = await self.tokens.user_id(request.headers.get("authorization"))
        try:
            score_id = uuid.UUID(request.path_params["score_id"])
        except ValueError as exc:
            raise NotFound("No such score") from exc
        row = await self.pool.fetchrow(ONE_SQL, score_id, user_id)
        if row is None:
            raise NotFound("No such score")
        # As the library: the version as a strong ETag (issue 14).
        return json_response(self.item(row), headers={"ETag": f'"{row["version"]}"'})


def int_param(request: Request, name: str, default: int, highest: int) -> int:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name}: not an integer") from exc
    if not 1 <= value <= highest:
        raise InvalidInput(f"{name}: must be between 1 and {highest}")
    return value


def json_response(
    body: Any, status: int = 200, media_type: str = "application/json", headers: dict[str, str] | None = None
) -> Response:
    # OPT_UTC_Z: datetimes as pydantic writes them ("...Z").
    return Response(
        orjson.dumps(body, option=orjson.OPT_UTC_Z),
        status_code=status,
        media_type=media_type,
        headers=headers,
    )


async def problem(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ProblemError):
        raise exc
    return json_response(exc.to_problem(), exc.status, PROBLEM_JSON)


async def healthz(request: Request) -> Response:
    return Response(b"ok\n", media_type="text/plain")


def create_app(settings: FloorSettings) -> Starlette:
    floor = Floor(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await floor.start()
        try:
            yield
        finally:
            await floor.close()

    routes = [
        Route("/healthz", healthz),
        Route("/scores", floor.list_scores),
        Route("/scores/{score_id}", floor.get_score),
    ]
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={ProblemError: problem})


def main() -> None:
    parser = argparse.ArgumentParser(description="The floor for the library's two hot reads")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = FloorSettings()  # from the environment
    uvicorn.run(
        create_app(settings), host=args.host, port=args.port, workers=1, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
