"""ObjectStorage.put_bytes and download against a small HTTP server standing in for S3: the request it
sends (a signed URL of the internal endpoint, the body, the type) and what it does with errors.
The real storage accepting these PUTs is covered by every pipeline test of the stack."""

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

from scoremate_shared.settings import StorageSettings
from scoremate_shared.storage import ObjectMissing, ObjectStorage, StorageRequestFailed


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[web.Request | bytes], list[int]]]:
    received: list[web.Request | bytes] = []
    statuses: list[int] = []

    async def put(request: web.Request) -> web.Response:
        received.extend([request, await request.read()])
        return web.Response(status=statuses.pop(0) if statuses else 200, text="<Error/>")

    app = web.Application()
    app.router.add_put("/{tail:.*}", put)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", received, statuses
    await runner.cleanup()


async def _storage(endpoint: str) -> ObjectStorage:
    storage = ObjectStorage(
        StorageSettings(
            s3_endpoint_url=endpoint,
            s3_public_endpoint_url="http://gateway.example/s3",
            s3_access_key="key",
            s3_secret_key="secret",
        )
    )
    await storage.start()
    return storage


async def test_a_put_is_signed_for_the_internal_endpoint_and_carries_body_and_type(server):
    endpoint, received, _ = server
    storage = await _storage(endpoint)
    try:
        await storage.put_bytes("u/s/thumbs/1.jpg", b"jpeg bytes", "image/jpeg")
    finally:
        await storage.close()
    request, body = received
    assert isinstance(request, web.Request)
    assert request.path == "/scores/u/s/thumbs/1.jpg"
    assert body == b"jpeg bytes"
    assert request.headers["Content-Type"] == "image/jpeg"
    query = parse_qs(urlsplit(str(request.url)).query)
    assert query["X-Amz-SignedHeaders"] == ["content-type;host"]
    assert query["X-Amz-Credential"][0].startswith("key/")


async def test_a_refused_put_raises_and_a_server_error_is_tried_once_more(server):
    endpoint, received, statuses = server
    storage = await _storage(endpoint)
    try:
        statuses.extend([403])
        with pytest.raises(StorageRequestFailed, match="HTTP 403"):
            await storage.put_bytes("k", b"x", "image/jpeg")
        assert len(received) == 2  # one request: a refusal is not retried
        statuses.extend([503, 200])
        await storage.put_bytes("k", b"x", "image/jpeg")
        assert len(received) == 6
        statuses.extend([503, 503])
        with pytest.raises(StorageRequestFailed, match="HTTP 503"):
            await storage.put_bytes("k", b"x", "image/jpeg")
    finally:
        await storage.close()


async def test_a_download_streams_the_object_to_a_file_and_a_missing_one_says_so(tmp_path):
    objects = {"/scores/u/s/original.pdf": b"%PDF-1.7 " + bytes(3 * 1024 * 1024)}

    async def get(request: web.Request) -> web.StreamResponse:
        if request.path not in objects:
            return web.Response(status=404, text="<Error><Code>NoSuchKey</Code></Error>")
        return web.Response(body=objects[request.path])

    app = web.Application()
    app.router.add_get("/{tail:.*}", get)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    storage = await _storage(f"http://127.0.0.1:{runner.addresses[0][1]}")
    try:
        target = tmp_path / "original.pdf"
        await storage.download("u/s/original.pdf", target)
        assert target.read_bytes() == objects["/scores/u/s/original.pdf"]
        with pytest.raises(ObjectMissing):
            await storage.download("u/s/gone.pdf", tmp_path / "gone.pdf")
    finally:
        await storage.close()
        await runner.cleanup()
