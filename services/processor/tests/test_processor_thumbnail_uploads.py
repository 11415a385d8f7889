import asyncio
import uuid
from typing import cast

import pytest

from scoremate_processor.pdf import Thumbnail
from scoremate_processor.thumbnail_uploads import ThumbnailUploads
from scoremate_shared.storage import ObjectStorage, cover_key, page_thumbnail_key

USER, SCORE = uuid.uuid4(), uuid.uuid4()


class FakeS3:
    """ObjectStorage's PUT: records what was stored; refuses the keys it is told to."""

    def __init__(self, refuse: str = "", delay: float = 0.0) -> None:
        self.stored: dict[str, bytes] = {}
        self.refuse = refuse
        self.delay = delay
        self.running = 0
        self.most_at_once = 0

    async def put_bytes(self, Key: str, Body: bytes, ContentType: str) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.delay)
            if self.refuse and Key.endswith(self.refuse):
                raise ConnectionError("storage away")
            self.stored[Key] = Body
        finally:
            self.running -= 1


def _uploads(s3: FakeS3, at_once: int = 8) -> ThumbnailUploads:
    return ThumbnailUploads(cast(ObjectStorage, s3), USER, SCORE, at_once)


async def _store_pages(uploads: ThumbnailUploads, pages: range) -> None:
    async with uploads:
        for page in pages:
            uploads.add(Thumbnail(page, b"jpeg"))


async def _render_that_fails(uploads: ThumbnailUploads) -> None:
    async with uploads:
        uploads.add(Thumbnail(None, b"jpeg"))
        raise RuntimeError("the worker died")


async def test_each_image_is_stored_under_its_key_and_pages_are_listed_in_order():
    s3 = FakeS3()
    async with _uploads(s3) as uploads:
        for page in (None, 3, 1, 2):
            uploads.add(Thumbnail(page, f"jpeg {page}".encode()))
    assert uploads.cover_key == cover_key(USER, SCORE)
    assert uploads.page_keys == [page_thumbnail_key(USER, SCORE, page) for page in (1, 2, 3)]
    assert s3.stored[page_thumbnail_key(USER, SCORE, 2)] == b"jpeg 2"
    assert uploads.bytes_total == sum(len(body) for body in s3.stored.values())


async def test_uploads_start_as_images_arrive_a_few_at_a_time():
    s3 = FakeS3(delay=0.05)
    async with _uploads(s3, at_once=3) as uploads:
        for page in range(1, 11):
            uploads.add(Thumbnail(page, b"jpeg"))
        await asyncio.sleep(0.01)
        assert s3.running == 3  # already storing while the block still runs
    assert s3.most_at_once == 3
    assert len(s3.stored) == 10


async def test_a_failed_upload_fails_the_block_and_stops_the_others():
    s3 = FakeS3(refuse="page-0002.jpg", delay=0.01)
    with pytest.raises(ConnectionError):
        await _store_pages(_uploads(s3, at_once=1), range(1, 30))
    await asyncio.sleep(0.05)
    assert len(s3.stored) < 5
    assert s3.running == 0


async def test_a_failed_render_leaves_no_upload_running():
    s3 = FakeS3(delay=0.05)
    with pytest.raises(RuntimeError):
        await _render_that_fails(_uploads(s3))
    assert s3.running == 0
    assert s3.stored == {}
