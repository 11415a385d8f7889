"""Storing the images of one THUMBNAIL job as the worker hands them over, a few at a time, so
that uploading overlaps rendering instead of following it."""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from types import TracebackType

from scoremate_processor.pdf import Thumbnail
from scoremate_shared.storage import ObjectStorage, cover_key, page_thumbnail_key

log = logging.getLogger(__name__)

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
        self.pages_total = 0  # as the worker announces it with each image

    @property
    def page_keys(self) -> list[str]:
        return [self._page_keys[page] for page in sorted(self._page_keys)]

    @property
    def pages_done(self) -> int:
        return len(self._page_keys)

    def add(self, image: Thumbnail) -> None:
        self.pages_total = max(self.pages_total, image.of_pages)
        self._uploads.append(asyncio.create_task(self._put(image)))

    async def report_progress(
        self, every_seconds: float, report: Callable[[int, int], Awaitable[None]]
    ) -> None:
        """Until cancelled, every `every_seconds`: `report(pages_done, pages_total)` when pages were
        stored since the last report and some are still to come. A job shorter than one interval
        reports nothing (its ThumbnailsGenerated follows at once); a failed report is only logged:
        progress is a courtesy, the job's outcome is what counts."""
        reported = 0
        while True:
            await asyncio.sleep(every_seconds)
            done, total = self.pages_done, self.pages_total
            if reported < done < total:
                try:
                    await report(done, total)
                    reported = done
                except Exception:
                    log.warning("thumbnail progress of score %s not reported", self._score_id, exc_info=True)

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
