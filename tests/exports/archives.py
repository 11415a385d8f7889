"""What the export and import tests share: Pro users, distinct PDFs, archives, and the calls of an
export's and an import's life through the gateway."""

import asyncio
import hashlib
import io
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import httpx

from tests.support import ApiClient, User


async def pro_user(api: ApiClient) -> User:
    """A user on Pro (the tests' Solo quota is 5 MB); files and the exports service learn of the
    plan from billing's QuotaChanged a moment later (`upload_when_allowed` waits for files)."""
    user = await api.register()
    upgraded = await api.http.post(
        "/billing/plan",
        headers=user.headers,
        json={"plan": "pro", "receipt": f"sandbox:pro:order-{uuid.uuid4().hex[:8]}-{user.id}"},
    )
    assert upgraded.status_code == 200, upgraded.text
    return user


async def upload_when_allowed(api: ApiClient, user: User, data: bytes, **fields: Any) -> dict[str, Any]:
    """`api.upload_score`, once files knows the user's quota is big enough (a fresh upgrade)."""
    deadline = time.monotonic() + 20
    while (response := await api.request_upload(user, data)).status_code == 403:
        assert time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)
    assert response.status_code == 201, response.text
    upload = response.json()
    put = await api.put_object(upload, data)
    assert put.status_code == 200, put.text
    created = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], **fields}
    )
    assert created.status_code == 201, created.text
    score: dict[str, Any] = created.json()
    return score


def variant(pdf: bytes, n: int) -> bytes:
    """The same document with other bytes (a comment after its end): another content hash."""
    return pdf + f"\n%scoremate test variant {n}\n".encode()


def big_pdf(size_bytes: int, seed: int) -> bytes:
    """A valid one-page PDF of about `size_bytes`, most of it an unreferenced stream of bytes that do
    not compress (so the archive is as large as the library)."""
    payload = hashlib.shake_256(f"scoremate-{seed}".encode()).digest(size_bytes)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def wait_for(
    api: ApiClient, user: User, path: str, done: tuple[str, ...], timeout: float = 120
) -> dict[str, Any]:
    """GET `path` until its `status` is one of `done`."""
    deadline = time.monotonic() + timeout
    while True:
        response = await api.http.get(path, headers=user.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in done:
            return body
        assert time.monotonic() < deadline, f"{path} still {body['status']} after {timeout}s: {body}"
        await asyncio.sleep(0.2)


async def export_library(api: ApiClient, user: User, timeout: float = 120) -> dict[str, Any]:
    started = await api.http.post("/exports", headers=user.headers)
    assert started.status_code == 202, started.text
    return await wait_for(api, user, f"/exports/{started.json()['id']}", ("completed", "failed"), timeout)


async def download(url: str) -> bytes:
    async with httpx.AsyncClient(timeout=120) as raw:
        response = await raw.get(url)
    assert response.status_code == 200, response.text
    return response.content


async def download_to(url: str, path: Path) -> None:
    """Streamed to a file: an archive may be larger than the test wants in memory."""
    async with httpx.AsyncClient(timeout=300) as raw, raw.stream("GET", url) as response:
        assert response.status_code == 200
        with path.open("wb") as out:
            async for chunk in response.aiter_bytes(1024 * 1024):
                out.write(chunk)


async def import_archive(api: ApiClient, user: User, archive: bytes, timeout: float = 120) -> dict[str, Any]:
    """Upload an archive through its presigned URL, start the import, wait for its end."""
    created = await api.http.post("/imports", headers=user.headers, json={"size_bytes": len(archive)})
    assert created.status_code == 201, created.text
    upload = created.json()["upload"]
    async with httpx.AsyncClient(timeout=120) as raw:
        put = await raw.put(upload["url"], headers=upload["headers"], content=archive)
    assert put.status_code == 200, put.text
    import_id = created.json()["id"]
    started = await api.http.post(f"/imports/{import_id}/start", headers=user.headers)
    assert started.status_code == 202, started.text
    return await wait_for(api, user, f"/imports/{import_id}", ("completed", "refused", "failed"), timeout)


def zip_of(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


async def all_items(api: ApiClient, user: User, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await api.http.get(path, params={"page": page, "page_size": 100}, headers=user.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1
