"""Storing the images of one THUMBNAIL job as the worker hands them over, a few at a time, so
that uploading overlaps rendering instead of following it."""

import asyncio
import uuid
from types import TracebackType

from scoremate_processor.pdf import Thumbnail
from scoremate_shared.storage import ObjectStorage, cover_key, page_thumbnail_key

# Per score; the storage client keeps 10 connections, so more at once would only queue there.
UPLOADS_AT_ONCE = 8


class ThumbnailUploads:
    """`add` starts storing an image; leaving the block waits for every upload (any failure raises,
    and no upload outlives the block)."""

    def __init__(
        self, storage: ObjectStorage, user_id: uuid.UUID, score_id: uuid.UUID, at_once: int = UPLOADS_AT_ONCE
    ) -> None:
        self._storage = storage
        self._user_id = user_id
        self._score_id = score_id
        self._limit = asyncio.Semaphore(at_once)
        self._uploads: list[asyncio.Task[None]] = []
        self.cover_key: str | None = None
        self._page_keys: dict[int, str] = {}
        self.bytes_total = 0

    @property
    def page_keys(self) -> list[str]:
        return [self._page_keys[page] for page in sorted(self._page_keys)]

    def add(self, image: Thumbnail) -> None:
        self._uploads.append(asyncio.create_task(self._put(image)))

    async def _put(self, image: Thumbnail) -> None:
        if image.page is None:
            key = cover_key(self._user_id, self._score_id)
        else:
            key = page_thumbnail_key(self._user_id, self._score_id, image.page)
        async with self._limit:
            await self._storage.put_bytes(key, image.jpeg, "image/jpeg")
        if image.page is None:
            self.cover_key = key
        else:
            self._page_keys[image.page] = key
        self.bytes_total += len(image.jpeg)

    async def __aenter__(self) -> "ThumbnailUploads":
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                await asyncio.gather(*self._uploads)
        finally:
            for upload in self._uploads:
                upload.cancel()
            await asyncio.gather(*self._uploads, return_exceptions=True)
