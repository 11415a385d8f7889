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


async def test_a_long_render_reports_its_progress_and_a_short_one_does_not():
    s3 = FakeS3()
    reports: list[tuple[int, int]] = []

    async def report(done: int, total: int) -> None:
        reports.append((done, total))

    async with _uploads(s3) as uploads:
        ticker = asyncio.create_task(uploads.report_progress(0.05, report))
        uploads.add(Thumbnail(None, b"cover", 4))
        for page in (1, 2):
            uploads.add(Thumbnail(page, b"jpeg", 4))
        await asyncio.sleep(0.12)  # two intervals with nothing new after the first: one report
        uploads.add(Thumbnail(3, b"jpeg", 4))
        await asyncio.sleep(0.08)
        uploads.add(Thumbnail(4, b"jpeg", 4))
        await asyncio.sleep(0.08)  # all 4 stored: "done" is ThumbnailsGenerated's to say
        ticker.cancel()
    assert reports == [(2, 4), (3, 4)]

    quick: list[tuple[int, int]] = []

    async def report_quick(done: int, total: int) -> None:
        quick.append((done, total))

    async with _uploads(FakeS3()) as uploads:
        ticker = asyncio.create_task(uploads.report_progress(10, report_quick))
        for image in (None, 1, 2):
            uploads.add(Thumbnail(image, b"jpeg", 2))
        ticker.cancel()
    assert quick == []


async def test_a_failed_progress_report_does_not_stop_the_reports():
    calls = 0

    async def flaky(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database away")

    async with _uploads(FakeS3()) as uploads:
        ticker = asyncio.create_task(uploads.report_progress(0.03, flaky))
        uploads.add(Thumbnail(1, b"jpeg", 3))
        await asyncio.sleep(0.1)
        ticker.cancel()
    assert calls >= 2  # the same progress is offered again after a failure
