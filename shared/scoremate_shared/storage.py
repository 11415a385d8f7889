"""S3 objects: where a score's files live, an async client, and local presigning."""

import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aioboto3
import aiohttp
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError

from scoremate_shared.settings import StorageSettings
from scoremate_shared.sigv4 import QuerySigner

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef


def score_prefix(user_id: uuid.UUID, score_id: uuid.UUID) -> str:
    return f"{user_id}/scores/{score_id}/"


def original_key(user_id: uuid.UUID, score_id: uuid.UUID) -> str:
    return f"{score_prefix(user_id, score_id)}original.pdf"


# Where clients PUT: a key per upload outside every score's prefix. Verification copies it to
# `original_key`, which no client ever gets a URL for (uploads are write-once).
STAGING_PREFIX = "staging/"


def staging_user_prefix(user_id: uuid.UUID) -> str:
    return f"{STAGING_PREFIX}{user_id}/"


def staging_key(user_id: uuid.UUID, score_id: uuid.UUID) -> str:
    return f"{staging_user_prefix(user_id)}{score_id}.pdf"


def cover_key(user_id: uuid.UUID, score_id: uuid.UUID) -> str:
    return f"{score_prefix(user_id, score_id)}cover.jpg"


def page_thumbnail_key(user_id: uuid.UUID, score_id: uuid.UUID, page: int) -> str:
    return f"{score_prefix(user_id, score_id)}thumbs/page-{page:04d}.jpg"


def attachment_disposition(filename: str) -> str:
    """`Content-Disposition: attachment` with the name for every browser (RFC 6266): a plain
    ASCII fallback, and the exact UTF-8 name in `filename*`."""
    name = "".join(ch for ch in filename if ch.isprintable() and ch not in "/\\").strip() or "score.pdf"
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"%' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _async_client_config() -> AioConfig:
    return AioConfig(**_CLIENT_OPTIONS)


_CLIENT_OPTIONS: dict[str, Any] = dict(
    signature_version="s3v4",
    s3={"addressing_style": "path"},
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=5,
    read_timeout=30,
)


# As many connections as botocore's default pool; a URL the service signs for itself is used at once.
_CLIENT_CONNECTIONS = 10
_URL_SECONDS = 300
_DOWNLOAD_CHUNK_BYTES = 1024 * 1024


async def _nothing_to_read(response: aiohttp.ClientResponse) -> None:
    """A PUT's 200 carries nothing the caller needs."""


class StorageRequestFailed(Exception):
    """Storage answered a request of ours with an error."""


class ObjectMissing(StorageRequestFailed):
    """The object asked for is not in storage."""


# What storage answers for a key (or multipart upload) it does not have.
_MISSING_CODES = ("404", "NoSuchKey", "NotFound", "NoSuchUpload")
# DeleteObjects takes at most this many keys a request.
_DELETE_BATCH = 1000


def _is_missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING_CODES


class ObjectStorage:
    """One long-lived async S3 client for the service, and a presigner for client-facing URLs."""

    def __init__(self, settings: StorageSettings) -> None:
        self.settings = settings
        self.bucket = settings.s3_bucket
        self._session = aioboto3.Session()
        self._client_cm: Any = None
        self._client: S3Client | None = None
        self._http: aiohttp.ClientSession | None = None
        # Presigning is local computation; signing for the public endpoint makes the URL
        # valid for a client that only knows the gateway. Not botocore's presigner: it cost
        # the library ~40% of its CPU when every listed score carries a cover URL.
        self._signer = QuerySigner(
            settings.s3_public_endpoint_url,
            settings.s3_access_key,
            settings.s3_secret_key,
            settings.s3_region,
        )
        # The same signer for the service's own endpoint: small PUTs the service makes itself.
        self._internal_signer = QuerySigner(
            settings.s3_endpoint_url, settings.s3_access_key, settings.s3_secret_key, settings.s3_region
        )

    async def start(self) -> None:
        self._client_cm = self._session.client(
            "s3",
            endpoint_url=self.settings.s3_endpoint_url,
            aws_access_key_id=self.settings.s3_access_key,
            aws_secret_access_key=self.settings.s3_secret_key,
            region_name=self.settings.s3_region,
            config=_async_client_config(),
        )
        self._client = await self._client_cm.__aenter__()
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=_CLIENT_CONNECTIONS),
            timeout=aiohttp.ClientTimeout(sock_connect=_CLIENT_OPTIONS["connect_timeout"], total=30),
            skip_auto_headers=("User-Agent",),
        )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._client_cm is not None:
            await self._client_cm.__aexit__(None, None, None)
            self._client_cm = None
            self._client = None

    @property
    def s3(self) -> "S3Client":
        if self._client is None:
            raise RuntimeError("ObjectStorage.start() was not called")
        return self._client

    def _expiry(self, seconds: int | None) -> tuple[int, datetime, datetime]:
        """The TTL (capped by settings), the signing time and the moment the URL expires."""
        ttl = min(seconds or self.settings.presigned_url_seconds, self.settings.presigned_url_seconds)
        now = datetime.now(UTC)
        return ttl, now, now + timedelta(seconds=ttl)

    def presign_get(
        self, key: str, seconds: int | None = None, *, download_name: str | None = None
    ) -> tuple[str, datetime]:
        """A GET URL; with `download_name` storage answers it as an attachment of that name (the
        header is signed into the URL: a browser saves the file instead of showing it in place)."""
        ttl, now, expires_at = self._expiry(seconds)
        overrides = (
            {"response-content-disposition": attachment_disposition(download_name)}
            if download_name is not None
            else None
        )
        url = self._signer.presign("GET", self.bucket, key, ttl, now=now, response_overrides=overrides)
        return url, expires_at

    def presign_put(
        self, key: str, content_type: str, content_length: int, seconds: int | None = None
    ) -> tuple[str, dict[str, str], datetime]:
        """A PUT URL bound to this key, type and length; the headers the client must send."""
        ttl, now, expires_at = self._expiry(seconds)
        headers = {"Content-Type": content_type, "Content-Length": str(content_length)}
        url = self._signer.presign("PUT", self.bucket, key, ttl, headers=headers, now=now)
        return url, headers, expires_at

    def presign_upload_part(
        self, key: str, upload_id: str, part_number: int, content_length: int, seconds: int | None = None
    ) -> tuple[str, dict[str, str], datetime]:
        """A PUT URL of one part of a multipart upload (S3's UploadPart), bound to its length; the
        headers the client must send."""
        ttl, now, expires_at = self._expiry(seconds)
        headers = {"Content-Length": str(content_length)}
        url = self._signer.presign(
            "PUT",
            self.bucket,
            key,
            ttl,
            headers=headers,
            now=now,
            subresources={"partNumber": str(part_number), "uploadId": upload_id},
        )
        return url, headers, expires_at

    async def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        """Store a small object (a page image): signed locally, sent on a plain connection pool.
        botocore's request pipeline cost ~2 ms of CPU per PUT, more than rendering the image."""
        await self._signed_exchange(
            "PUT", key, _nothing_to_read, headers={"Content-Type": content_type}, body=body
        )

    async def download(self, key: str, target: Path) -> None:
        """Stream an object to a local file (a score's PDF for the processor), signed locally like
        `put_bytes`; a missing object raises `ObjectMissing`."""

        async def save(response: aiohttp.ClientResponse) -> None:
            with target.open("wb") as handle:
                async for chunk in response.content.iter_chunked(_DOWNLOAD_CHUNK_BYTES):
                    handle.write(chunk)

        await self._signed_exchange("GET", key, save)

    async def _signed_exchange(
        self,
        method: str,
        key: str,
        on_ok: Callable[[aiohttp.ClientResponse], Awaitable[None]],
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> None:
        """One request of the service's own, signed for the internal endpoint; `on_ok` reads a 200.
        A 5xx, or a kept-alive connection the server had closed, is tried once more."""
        http = self._session_or_raise()
        for attempt in (1, 2):
            url = self._internal_signer.presign(method, self.bucket, key, _URL_SECONDS, headers=headers)
            try:
                async with http.request(method, url, data=body, headers=headers) as response:
                    if response.status == 200:
                        await on_ok(response)
                        return
                    detail = (await response.read())[:300].decode(errors="replace")
                    if method == "GET" and response.status == 404:
                        raise ObjectMissing(key)
                    if response.status < 500 or attempt == 2:
                        raise StorageRequestFailed(f"{method} {key}: HTTP {response.status} {detail}")
            except aiohttp.ServerDisconnectedError:
                if attempt == 2:
                    raise

    def _session_or_raise(self) -> aiohttp.ClientSession:
        if self._http is None:
            raise RuntimeError("ObjectStorage.start() was not called")
        return self._http

    async def ping(self) -> None:
        await self.s3.head_bucket(Bucket=self.bucket)

    # --- objects the service streams, copies and deletes itself (exports and imports) ---------

    async def object_size(self, key: str) -> int | None:
        """The object's size (HEAD), or None when it is not there."""
        try:
            head = await self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    async def copy_object(self, source: str, target: str) -> None:
        """Copy inside the bucket (CopyObject: nothing passes through the service)."""
        await self.s3.copy_object(
            Bucket=self.bucket, Key=target, CopySource={"Bucket": self.bucket, "Key": source}
        )

    async def delete_keys(self, keys: list[str]) -> None:
        """Delete `keys` (absent ones are no error), a batch of DeleteObjects at a time."""
        for start in range(0, len(keys), _DELETE_BATCH):
            objects: list[ObjectIdentifierTypeDef] = [
                {"Key": key} for key in keys[start : start + _DELETE_BATCH]
            ]
            await self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

    async def iter_object(self, key: str, chunk_bytes: int) -> AsyncGenerator[bytes, None]:
        """The object's bytes, `chunk_bytes` at a time, never whole in memory; `ObjectMissing` when
        it is not there. The connection is released when the iteration ends or is closed (`aclose()`)."""
        try:
            response = await self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectMissing(key) from exc
            raise
        body = response["Body"]
        try:
            async for chunk in body.iter_chunks(chunk_bytes):
                yield chunk
        finally:
            body.close()

    async def create_multipart(self, key: str, content_type: str) -> str:
        """Start a multipart upload at `key`; its upload id."""
        created = await self.s3.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType=content_type)
        return created["UploadId"]

    async def upload_part(self, key: str, upload_id: str, part_number: int, body: bytes) -> str:
        """Send one part (1-based number; every part but the last at least 5 MiB); its ETag."""
        sent = await self.s3.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=part_number, Body=body
        )
        return sent["ETag"]

    async def complete_multipart(self, key: str, upload_id: str, etags: list[str]) -> None:
        """Join the parts (`etags[i]` is part i + 1's) into the object at `key`."""
        parts: list[CompletedPartTypeDef] = [
            {"PartNumber": number, "ETag": etag} for number, etag in enumerate(etags, start=1)
        ]
        await self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Abort the upload and drop its parts (one already completed or aborted is no error)."""
        try:
            await self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if not _is_missing(exc):
                raise
