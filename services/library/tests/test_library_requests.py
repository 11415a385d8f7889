"""The library's HTTP layer on its migrated schema (no stack: the app without its lifespan, a test
principal instead of token verification): ETag, If-None-Match, If-Match and Idempotency-Key."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request

from scoremate_library.main import create_app
from scoremate_library.models import Setlist
from scoremate_library.settings import LibrarySettings
from scoremate_shared import idempotency
from scoremate_shared.auth import Principal, current_principal
from scoremate_shared.db import Database
from scoremate_shared.idempotency import idempotency_table
from scoremate_shared.upload_token import UploadClaim, issue_upload_token


async def _principal_from_header(request: Request) -> Principal:
    return Principal(uuid.UUID(request.headers["x-test-user"]))


@pytest.fixture(scope="module")
def library_app(library_db: Database, service_settings: Callable[..., LibrarySettings]) -> FastAPI:
    app = create_app(service_settings(LibrarySettings, "library"))
    app.state.db = library_db  # the migrated test database; no lifespan runs
    app.dependency_overrides[current_principal] = _principal_from_header
    return app


@pytest.fixture
async def client(library_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=library_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://library") as client:
        yield client


def user_headers() -> dict[str, str]:
    return {"x-test-user": str(uuid.uuid4())}


def upload_token(app: FastAPI, user_id: str) -> str:
    settings = app.state.runtime.settings
    claim = UploadClaim(
        user_id=uuid.UUID(user_id),
        score_id=uuid.uuid4(),
        object_key=f"{user_id}/scores/x/original.pdf",
        size_bytes=1234,
        mime="application/pdf",
        content_hash="ab" * 32,
        filename="x.pdf",
        expires_at=datetime.now(UTC) + timedelta(minutes=10),
    )
    return issue_upload_token(settings.upload_token_secret, claim)


async def test_a_setlist_answers_with_its_etag_and_304_while_it_stands(client: httpx.AsyncClient):
    me = user_headers()
    created = await client.post("/setlists", headers=me, json={"title": "Gig"})
    assert created.status_code == 201
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/setlists/{created.json()['id']}"
    assert created.json()["version"] == 1
    url = created.headers["location"]

    again = await client.get(url, headers={**me, "If-None-Match": '"1"'})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", '"1"')
    patched = await client.patch(url, headers={**me, "If-Match": '"1"'}, json={"title": "Tour"})
    assert (patched.status_code, patched.headers["etag"], patched.json()["version"]) == (200, '"2"', 2)
    fresh = await client.get(url, headers={**me, "If-None-Match": '"1"'})
    assert (fresh.status_code, fresh.json()["title"], fresh.headers["etag"]) == (200, "Tour", '"2"')
    listed = await client.get("/setlists", headers=me)
    assert [item["version"] for item in listed.json()["items"]] == [2]


async def test_a_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient):
    me = user_headers()
    url = (await client.post("/setlists", headers=me, json={"title": "Gig"})).headers["location"]
    assert (await client.patch(url, headers=me, json={"title": "Two"})).status_code == 200  # no If-Match

    for call in (
        client.patch(url, headers={**me, "If-Match": '"1"'}, json={"title": "Stale"}),
        client.post(f"{url}/items", headers={**me, "If-Match": '"bogus"'}, json={"score_ids": []}),
        client.delete(url, headers={**me, "If-Match": 'W/"2"'}),
    ):
        refused = await call
        assert refused.status_code == 412
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/precondition-failed")
    current = await client.get(url, headers=me)
    assert (current.json()["title"], current.json()["version"]) == ("Two", 2)
    assert (await client.delete(url, headers={**me, "If-Match": "*"})).status_code == 204


async def test_a_score_carries_its_version_in_lists_and_etag_on_reads_and_writes(
    client: httpx.AsyncClient, library_app: FastAPI
):
    me = user_headers()
    token = upload_token(library_app, me["x-test-user"])
    created = await client.post("/scores", headers=me, json={"upload_token": token, "title": "Air"})
    assert (created.status_code, created.headers["etag"], created.json()["version"]) == (201, '"1"', 1)
    url = created.headers["location"]
    assert url == f"/scores/{created.json()['id']}"

    assert (await client.get(url, headers={**me, "If-None-Match": 'W/"1"'})).status_code == 304
    stale = await client.patch(url, headers={**me, "If-Match": '"0"'}, json={"title": "Nope"})
    assert stale.status_code == 412
    edited = await client.patch(url, headers={**me, "If-Match": '"1"'}, json={"title": "Aria"})
    assert (edited.headers["etag"], edited.json()["title"]) == ('"2"', "Aria")
    read = await client.get(url, headers=me)
    assert (read.headers["etag"], read.json()["version"]) == ('"2"', 2)
    assert [s["version"] for s in (await client.get("/scores", headers=me)).json()["items"]] == [2]
    assert (await client.delete(url, headers={**me, "If-Match": '"1"'})).status_code == 412
    assert (await client.delete(url, headers={**me, "If-Match": '"2"'})).status_code == 204


async def test_a_repeated_idempotency_key_creates_one_setlist_and_replays_the_first_answer(
    client: httpx.AsyncClient, library_db: Database
):
    me = user_headers()
    keyed = {**me, "Idempotency-Key": f"create-{uuid.uuid4()}"}
    first = await client.post("/setlists", headers=keyed, json={"title": "Gig"})
    second = await client.post("/setlists", headers=keyed, json={"title": "Gig"})
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    for header in ("etag", "location"):
        assert second.headers[header] == first.headers[header]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert (await client.get("/setlists", headers=me)).json()["total"] == 1

    other_body = await client.post("/setlists", headers=keyed, json={"title": "Another gig"})
    assert other_body.status_code == 422
    assert other_body.json()["type"].endswith("/idempotency-key-reused")
    # The same key from another user, or on another route, is another key.
    other_user = {**user_headers(), "Idempotency-Key": keyed["Idempotency-Key"]}
    assert (await client.post("/setlists", headers=other_user, json={"title": "Gig"})).status_code == 201
    async with library_db.session() as session:
        mine = Setlist.user_id == uuid.UUID(me["x-test-user"])
        count = await session.scalar(sa.select(sa.func.count()).select_from(Setlist).where(mine))
    assert count == 1


async def test_a_failed_request_keeps_no_key_so_the_client_can_fix_it_and_retry(client: httpx.AsyncClient):
    me = user_headers()
    keyed = {**me, "Idempotency-Key": "retry-me"}
    invalid = await client.post("/setlists", headers=keyed, json={"title": ""})
    assert invalid.status_code == 422
    fixed = await client.post("/setlists", headers=keyed, json={"title": "Gig"})
    assert fixed.status_code == 201
    assert "idempotent-replayed" not in fixed.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
async def test_a_malformed_idempotency_key_is_a_422_naming_the_header(client: httpx.AsyncClient, key: str):
    headers = [(name.encode(), value.encode()) for name, value in user_headers().items()]
    # Bytes: httpx sends a non-ASCII value as its UTF-8 bytes, as a careless client would.
    headers.append((b"Idempotency-Key", key.encode()))
    response = await client.post("/setlists", headers=headers, json={"title": "Gig"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["header.Idempotency-Key"]


async def test_a_duplicate_while_the_first_still_runs_is_409(
    client: httpx.AsyncClient, library_app: FastAPI, library_db: Database
):
    """The first request's transaction holds the key (its lock) until it commits: a duplicate meanwhile
    is told to retry, and after the commit gets the first answer."""
    me = user_headers()
    keyed = {**me, "Idempotency-Key": "slow"}
    runtime = library_app.state.runtime
    original = runtime.setlists.create
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_create(*args, **kwargs):
        entered.set()
        await release.wait()
        return await original(*args, **kwargs)

    runtime.setlists.create = slow_create
    try:
        first = asyncio.create_task(client.post("/setlists", headers=keyed, json={"title": "Gig"}))
        await asyncio.wait_for(entered.wait(), 5)
        runtime.setlists.create = original
        duplicate = await client.post("/setlists", headers=keyed, json={"title": "Gig"})
        assert duplicate.status_code == 409
        assert duplicate.json()["type"].endswith("/idempotency-key-in-use")
        assert duplicate.headers["retry-after"] == "1"
        release.set()
        assert (await first).status_code == 201
    finally:
        runtime.setlists.create = original
        release.set()
    replayed = await client.post("/setlists", headers=keyed, json={"title": "Gig"})
    assert (replayed.status_code, replayed.headers["idempotent-replayed"]) == (201, "true")


async def test_an_expired_key_is_a_new_key(client: httpx.AsyncClient, library_db: Database):
    me = user_headers()
    keyed = {**me, "Idempotency-Key": "yesterday"}
    assert (await client.post("/setlists", headers=keyed, json={"title": "Gig"})).status_code == 201
    async with library_db.transaction() as session:
        await session.execute(
            sa.update(idempotency_table)
            .where(idempotency_table.c.user_id == uuid.UUID(me["x-test-user"]))
            .values(expires_at=sa.func.now() - sa.text("interval '1 second'"))
        )
    again = await client.post("/setlists", headers=keyed, json={"title": "Another gig"})
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert (await client.get("/setlists", headers=me)).json()["total"] == 2


async def test_writes_purge_expired_keys_of_everyone_and_an_erased_user_leaves_none(
    client: httpx.AsyncClient, library_app: FastAPI, library_db: Database
):
    gone, me = uuid.uuid4(), user_headers()
    async with library_db.transaction() as session:
        await session.execute(
            sa.insert(idempotency_table).values(
                user_id=gone,
                method="POST",
                path="/setlists",
                key="old",
                request_hash=b"h",
                status_code=201,
                response_headers=[],
                response_body=b"{}",
                expires_at=sa.func.now() - sa.text("interval '1 second'"),
            )
        )
    idempotency._Purge.due = 0.0  # the process's purge is due (at most once a minute otherwise)
    keyed = {**me, "Idempotency-Key": "purge"}
    assert (await client.post("/setlists", headers=keyed, json={"title": "Gig"})).status_code == 201

    async def owners() -> list[uuid.UUID]:
        async with library_db.session() as session:
            return list((await session.scalars(sa.select(idempotency_table.c.user_id))).all())

    assert gone not in await owners()
    assert uuid.UUID(me["x-test-user"]) in await owners()
    async with library_db.transaction() as session:
        await library_app.state.runtime.scores.erase_user(session, uuid.UUID(me["x-test-user"]))
    assert uuid.UUID(me["x-test-user"]) not in await owners()
