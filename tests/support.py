"""What the integration and end-to-end tests share: corpus access and a client of the public API."""

import asyncio
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aioboto3
import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    pages: int
    width_pt: float
    height_pt: float
    size_bytes: int
    sha256: str


def corpus_manifest() -> dict[str, CorpusFile]:
    with (CORPUS / "manifest.csv").open() as handle:
        return {
            row["filename"]: CorpusFile(
                path=CORPUS / row["filename"],
                pages=int(row["pages"]),
                width_pt=float(row["width_pt"]),
                height_pt=float(row["height_pt"]),
                size_bytes=int(row["bytes"]),
                sha256=row["sha256"],
            )
            for row in csv.DictReader(handle)
        }


def bad_corpus_manifest() -> dict[str, dict[str, str]]:
    with (CORPUS / "bad" / "manifest.csv").open() as handle:
        return {row["filename"]: row for row in csv.DictReader(handle)}


@dataclass
class User:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class ApiClient:
    """A client of the public REST contract, talking to the gateway only."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def register(self, email: str | None = None, password: str = "correct horse battery") -> User:
        email = email or f"user-{uuid.uuid4().hex[:12]}@example.com"
        response = await self.http.post("/auth/register", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        user_id = response.json()["id"]
        tokens = await self.login(email, password)
        return User(user_id, email, password, tokens["access_token"], tokens["refresh_token"])

    async def login(self, email: str, password: str) -> dict[str, Any]:
        response = await self.http.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def request_upload(
        self, user: User, data: bytes, filename: str = "score.pdf", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.post(
            "/files/upload-url",
            headers=headers or user.headers,
            json={
                "filename": filename,
                "size_bytes": len(data),
                "mime": "application/pdf",
                "content_hash": hashlib.sha256(data).hexdigest(),
            },
        )

    async def put_object(self, upload: dict[str, Any], data: bytes) -> httpx.Response:
        # The presigned URL points at the gateway's /s3/ route: a client needs nothing else.
        async with httpx.AsyncClient(timeout=60) as raw:
            return await raw.request(upload["method"], upload["url"], headers=upload["headers"], content=data)

    async def upload_score(self, user: User, data: bytes, title: str, **fields: Any) -> dict[str, Any]:
        """The whole client side of the upload sequence; returns the created score."""
        upload_response = await self.request_upload(user, data)
        assert upload_response.status_code == 201, upload_response.text
        upload = upload_response.json()
        put = await self.put_object(upload, data)
        assert put.status_code == 200, put.text
        created = await self.http.post(
            "/scores",
            headers=user.headers,
            json={"upload_token": upload["upload_token"], "title": title, **fields},
        )
        assert created.status_code == 201, created.text
        score: dict[str, Any] = created.json()
        assert score["id"] == upload["score_id"]
        return score

    async def wait_for_score(
        self, user: User, score_id: str, *, until: tuple[str, ...] = ("ready", "failed"), timeout: float = 30
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            response = await self.http.get(f"/scores/{score_id}", headers=user.headers)
            assert response.status_code == 200, response.text
            score: dict[str, Any] = response.json()
            if score["status"] in until:
                return score
            if time.monotonic() > deadline:
                raise AssertionError(f"score {score_id} still {score['status']} after {timeout}s")
            await asyncio.sleep(0.1)


async def superuser_sql(stack: Any, statement: str, **params: Any) -> list[Any]:
    """Run one statement as the database's superuser; the rows it returns, if any."""
    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(sa.text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


@asynccontextmanager
async def admin_storage(stack: Any) -> AsyncIterator[Any]:
    """Storage as its operator sees it (the stack's admin key), straight, not through the gateway."""
    async with aioboto3.Session().client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{stack.cfg.ports.s3}",
        aws_access_key_id=stack.cfg.s3_access_key,
        aws_secret_access_key=stack.cfg.s3_secret_key,
        region_name="us-east-1",
    ) as s3:
        yield s3


async def object_sizes(stack: Any, prefix: str) -> dict[str, int]:
    """Every object under `prefix` in the test stack's bucket with its size, read straight from S3
    with the stack's admin key."""
    async with admin_storage(stack) as s3:
        sizes: dict[str, int] = {}
        async for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=stack.cfg.s3_bucket, Prefix=prefix
        ):
            sizes.update({item["Key"]: int(item["Size"]) for item in page.get("Contents", [])})
        return sizes


async def list_objects(stack: Any, prefix: str) -> list[str]:
    """The keys under `prefix` in the test stack's bucket, read straight from S3."""
    return list(await object_sizes(stack, prefix))


async def image_bytes(stack: Any, user_id: str, score_id: str | None = None) -> int:
    """Bytes of the cover and page images (`cover.jpg`, `thumbs/page-*.jpg`) stored for one score
    of the user, or for all of them: what billing counts beside each original (API.md, `used_bytes`).

    Read once the score is ready: its images are stored before it is."""
    prefix = f"{user_id}/scores/{score_id}/" if score_id else f"{user_id}/scores/"
    return sum(size for key, size in (await object_sizes(stack, prefix)).items() if key.endswith(".jpg"))


async def usage_reaches(api: ApiClient, user: User, used_bytes: int, timeout: float = 30) -> dict[str, Any]:
    """`GET /billing/usage` once it counts `used_bytes` (or at the deadline, for the caller's assert).

    A score turns ready when its images are stored; billing counts them from the same event, a
    moment later or earlier."""
    deadline = time.monotonic() + timeout
    while True:
        response = await api.http.get("/billing/usage", headers=user.headers)
        assert response.status_code == 200, response.text
        usage: dict[str, Any] = response.json()
        if usage["used_bytes"] == used_bytes or time.monotonic() > deadline:
            return usage
        await asyncio.sleep(0.2)


async def admin_cli(stack: Any, command: str, email: str) -> None:
    """`python -m scoremate_auth.admin COMMAND EMAIL` with the auth service's environment (what
    `make admin` runs)."""
    env = {**os.environ, **stack.cfg.service_env("auth")}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "scoremate_auth.admin", command, email],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def mail_to(stack: Any, email: str) -> list[dict[str, Any]]:
    """Messages auth's development e-mail delivery wrote to `email` (LOG_DIR/mail.jsonl), oldest first."""
    path = stack.cfg.log_dir / "mail.jsonl"
    if not path.exists():
        return []
    messages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [m for m in messages if m["to"] == email]


async def verify_email(api: ApiClient, stack: Any, email: str, timeout: float = 20) -> dict[str, Any]:
    """Confirm the address with the newest token e-mailed to it that works; returns the `User`.

    Tokens mailed to an earlier account of the same address are dead and are skipped."""
    tried: set[str] = set()
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(mail_to(stack, email)):
            match = re.search(r"token=([A-Za-z0-9_-]+)", message["text"])
            if match is None or match.group(1) in tried:
                continue
            tried.add(match.group(1))
            response = await api.http.post("/auth/verify-email", json={"token": match.group(1)})
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
        if time.monotonic() > deadline:
            raise AssertionError(f"no working verification e-mail for {email} after {timeout}s")
        await asyncio.sleep(0.1)
