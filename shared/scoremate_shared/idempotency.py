"""`Idempotency-Key` on the POSTs of a router: a request retried with the same key (same user, method
and path, same bytes) within the key's lifetime gets the first response again, with
`Idempotent-Replayed: true`, instead of doing its work twice.

One line applies it: `APIRouter(..., route_class=IdempotentRoute)`; every POST route of that router
then accepts the header. Each service keeps its own `idempotency_keys` table
(`create_idempotency_table` in one of its revisions) and erases a deleted user's keys
(`forget_user_keys`): a stored response holds the user's data.

How it stays exact: the key is claimed in the request's own unit of work (`SessionDep`, which the
route must use) before the route runs, and the response the route built is stored in that same
transaction, before `SessionDep` commits. The creation and its key commit together or not at all:
a request that fails (the route raised: every 4xx and 5xx) rolls its claim back with its work, so
the client may correct the request and send it again with the same key (unlike Stripe, which
also replays errors: here an error never did anything worth remembering). A duplicate that
arrives while the first still runs finds the key's lock taken and gets 409
`idempotency-key-in-use` (retry shortly); one with other bytes gets 422 `idempotency-key-reused`.
Keys live `IDEMPOTENCY_KEY_TTL_SECONDS` (24 h); expired ones are purged by the writes themselves,
a small batch at most once a minute per process.
"""

import hashlib
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.auth import CurrentUser
from scoremate_shared.db import new_metadata
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from alembic.operations import Operations

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "idempotent-replayed"
# Printable ASCII, as Stripe takes it: a UUID or any client-made token fits.
KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"
# The purge is a side job of the writes: this often at most per process, this many rows a time.
PURGE_INTERVAL_SECONDS = 60.0
PURGE_BATCH = 500
# What a replay leaves out of the stored headers (recomputed for the stored body).
_NOT_STORED = frozenset({"content-length"})
_SCOPE_KEY = "scoremate.idempotency"


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("method", sa.Text, primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        # SHA-256 of the query string and the raw body: a repeat must be the same request.
        sa.Column("request_hash", BYTEA, nullable=False),
        # Null until the request that claimed the key stores its response (same transaction).
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("response_headers", JSONB, nullable=True),
        sa.Column("response_body", BYTEA, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    ]


idempotency_metadata = new_metadata()
idempotency_table = sa.Table(
    "idempotency_keys",
    idempotency_metadata,
    *_columns(),
    sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
)


def create_idempotency_table(op: "Operations") -> None:
    """For each service's revision that adds the table (the same shape everywhere)."""
    op.create_table("idempotency_keys", *_columns())
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def drop_idempotency_table(op: "Operations") -> None:
    op.drop_table("idempotency_keys")


async def forget_user_keys(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Erase a deleted user's keys (with the responses stored for them)."""
    await session.execute(sa.delete(idempotency_table).where(idempotency_table.c.user_id == user_id))


class IdempotencyKeyInUse(Conflict):
    slug, title = "idempotency-key-in-use", "Idempotency key in use"


class IdempotencyKeyReused(InvalidInput):
    slug, title = "idempotency-key-reused", "Idempotency key reused"


# The claim, in one round trip: the key's advisory lock (held to the end of the transaction) tells
# a concurrent duplicate to back off instead of queueing behind the row; a row whose key expired
# is taken over. Nothing comes back when the key is live or in use.
_CLAIM = sa.text(
    """
    WITH free AS (SELECT pg_try_advisory_xact_lock(:lock_id) AS taken)
    INSERT INTO idempotency_keys AS k (user_id, method, path, key, request_hash, expires_at)
    SELECT CAST(:user_id AS uuid), CAST(:method AS text), CAST(:path AS text), CAST(:key AS text),
           CAST(:request_hash AS bytea), now() + make_interval(secs => CAST(:ttl AS double precision))
    FROM free WHERE free.taken
    ON CONFLICT (user_id, method, path, key) DO UPDATE
    SET request_hash = excluded.request_hash, status_code = NULL, response_headers = NULL,
        response_body = NULL, created_at = now(), expires_at = excluded.expires_at
    WHERE k.expires_at <= now()
    RETURNING true
    """
)
_STORED = sa.text(
    """
    SELECT request_hash, status_code, response_headers, response_body FROM idempotency_keys
    WHERE user_id = :user_id AND method = :method AND path = :path AND key = :key
      AND expires_at > now()
    """
)
_STORE = sa.text(
    """
    UPDATE idempotency_keys SET status_code = :status_code, response_headers = :headers,
        response_body = :body
    WHERE user_id = :user_id AND method = :method AND path = :path AND key = :key
    """
)
_RELEASE = sa.text(
    "DELETE FROM idempotency_keys "
    "WHERE user_id = :user_id AND method = :method AND path = :path AND key = :key"
)
# SKIP LOCKED: two processes purging at once each take other rows; neither waits.
_PURGE = sa.text(
    """
    DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM idempotency_keys WHERE expires_at <= now()
        LIMIT :batch FOR UPDATE SKIP LOCKED))
    """
)


class _Purge:
    """When this process purges expired keys next."""

    due = 0.0


class _Replay(Exception):
    """Not an error: how the claim hands a stored response to the route class, skipping the route."""

    def __init__(self, response: Response) -> None:
        super().__init__("replay")
        self.response = response


class KeyClaim:
    """A key this request holds: its response is stored (or the claim released) before commit."""

    def __init__(self, session: AsyncSession, names: dict[str, Any]) -> None:
        self.session = session
        self.names = names

    async def settle(self, response: Response) -> None:
        body = getattr(response, "body", None)
        if 200 <= response.status_code < 300 and isinstance(body, bytes):
            headers = [
                [name.decode("latin-1"), value.decode("latin-1")]
                for name, value in response.raw_headers
                if name.decode("latin-1").lower() not in _NOT_STORED
            ]
            await self.session.execute(
                _STORE.bindparams(sa.bindparam("headers", type_=JSONB)),
                {**self.names, "status_code": response.status_code, "headers": headers, "body": body},
            )
        else:  # a streamed or unsuccessful answer (the route returned it rather than raising)
            await self.session.execute(_RELEASE, self.names)


def _lock_id(schema: str, names: dict[str, Any]) -> int:
    material = "\x00".join((schema, str(names["user_id"]), names["method"], names["path"], names["key"]))
    return int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big", signed=True)


def _replay(status_code: int, headers: Sequence[Sequence[str]], body: bytes) -> Response:
    response = Response(content=body, status_code=status_code)
    response.raw_headers = [
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers),
        (b"content-length", str(len(body)).encode()),
        (REPLAYED_HEADER.encode(), b"true"),
    ]
    return response


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_KEY_HEADER,
        pattern=KEY_PATTERN,
        description="Makes a retry safe: the same key with the same request within 24 h returns the "
        "first response (with `Idempotent-Replayed: true`) instead of doing it again",
    ),
]


async def claim_idempotency_key(
    request: Request, user: CurrentUser, session: SessionDep, key: IdempotencyKeyHeader = None
) -> None:
    """Claim the request's key in its unit of work, or answer from what the key stored."""
    if key is None:
        return
    holder = request.scope.get(_SCOPE_KEY)
    if holder is None:
        raise RuntimeError("Idempotency-Key needs the router's route_class=IdempotentRoute")
    settings = request.app.state.runtime.settings
    request_hash = hashlib.sha256(request.url.query.encode() + b"\n" + await request.body()).digest()
    names = {"user_id": user.user_id, "method": request.method, "path": request.url.path, "key": key}
    if time.monotonic() >= _Purge.due:
        _Purge.due = time.monotonic() + PURGE_INTERVAL_SECONDS
        await session.execute(_PURGE, {"batch": PURGE_BATCH})
    claimed = await session.scalar(
        _CLAIM,
        {
            **names,
            "request_hash": request_hash,
            "ttl": settings.idempotency_key_ttl_seconds,
            "lock_id": _lock_id(settings.db_schema, names),
        },
    )
    if claimed:
        holder.append(KeyClaim(session, names))
        return
    stored = (await session.execute(_STORED, names)).first()
    if stored is None or stored.status_code is None:
        raise IdempotencyKeyInUse(
            "A request with this Idempotency-Key is still being processed; retry shortly",
            headers={"Retry-After": "1"},
        )
    if bytes(stored.request_hash) != request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for another request (other parameters or body); "
            "use a new key for a new request",
            field="Idempotency-Key",
        )
    raise _Replay(_replay(stored.status_code, stored.response_headers, bytes(stored.response_body)))


_IDEMPOTENT = Depends(claim_idempotency_key)
_DOCUMENTED: dict[int | str, dict[str, Any]] = {
    409: {"description": "Conflict; or the Idempotency-Key is in use by a request still running"},
}


class IdempotentRoute(APIRoute):
    """The route class of a router whose POSTs accept `Idempotency-Key` (see the module)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in kwargs.get("methods") or ()}
        dependencies = list(kwargs.pop("dependencies", None) or [])
        if "POST" in methods and not any(d.dependency is claim_idempotency_key for d in dependencies):
            dependencies.append(_IDEMPOTENT)
            kwargs["responses"] = {**_DOCUMENTED, **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, dependencies=dependencies, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if "POST" not in (self.methods or ()):
            return handler  # the router's reads stay as they are

        async def handle(request: Request) -> Response:
            claims: list[KeyClaim] = []
            request.scope[_SCOPE_KEY] = claims
            try:
                response = await handler(request)
            except _Replay as replay:
                return replay.response
            # Still inside the request's unit of work: SessionDep commits after this returns.
            for claim in claims:
                await claim.settle(response)
            return response

        return handle
