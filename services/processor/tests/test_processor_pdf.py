import asyncio
import csv
import io
import time
from pathlib import Path

import pytest
from PIL import Image

from scoremate_processor.isolation import IsolatedWorker, RenderFailed
from scoremate_processor.pdf import (
    PdfRejected,
    Thumbnail,
    ThumbnailsRendered,
    clean_text,
    read_info,
    render_thumbnails,
    thumbnail_scale,
)
from scoremate_processor.sandbox import SandboxPolicy
from scoremate_processor.settings import ProcessorSettings

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
BAD = CORPUS / "bad"


def _sandbox(memory_limit_mb: int = 1024) -> SandboxPolicy:
    """The default sandbox of the settings, with this memory limit."""
    return SandboxPolicy.from_settings(
        ProcessorSettings.model_construct(render_memory_limit_mb=memory_limit_mb)
    )


def _manifest(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", _manifest(CORPUS / "manifest.csv"), ids=lambda row: row["filename"])
def test_page_count_and_first_page_size_match_the_manifest(row):
    info = read_info(CORPUS / row["filename"])
    assert info.pages == int(row["pages"])
    assert info.page_sizes[0] == pytest.approx((float(row["width_pt"]), float(row["height_pt"])), abs=0.01)


THUMBNAIL_SIZES = dict(cover_width_px=400, page_width_px=200, max_height_factor=3.0, quality=80)


def _thumbs(path: Path, max_pages: int = 3) -> tuple[list[Thumbnail], ThumbnailsRendered]:
    """Every image render_thumbnails yields, and what it returns."""
    images = []
    rendering = render_thumbnails(path, max_pages=max_pages, **THUMBNAIL_SIZES)
    while True:
        try:
            images.append(next(rendering))
        except StopIteration as finished:
            return images, finished.value


def _image(thumbnail: Thumbnail) -> Image.Image:
    return Image.open(io.BytesIO(thumbnail.jpeg))


def test_cover_comes_first_then_every_page_at_the_target_width():
    images, rendered = _thumbs(CORPUS / "handel_lascia-chio-pianga.pdf")
    assert [image.page for image in images] == [None, 1, 2, 3]
    assert _image(images[0]).width == 400
    assert all(_image(image).width == 200 and _image(image).format == "JPEG" for image in images[1:])
    assert rendered == ThumbnailsRendered(pages_total=4, pages_failed=[])


def _red_page_pdf() -> bytes:
    """A one-page PDF filled with pure red."""
    content = b"1 0 0 rg 0 0 200 300 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return pdf + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_thumbnails_keep_the_colours_of_the_page(tmp_path):
    # PDFium is asked for RGB byte order: red must not come out blue.
    path = tmp_path / "red.pdf"
    path.write_bytes(_red_page_pdf())
    images, _ = _thumbs(path)
    for image in images:
        pixel = _image(image).convert("RGB").getpixel((10, 10))
        assert isinstance(pixel, tuple)
        red, green, blue = pixel
        assert red > 200, (image.page, red, green, blue)
        assert max(green, blue) < 40, (image.page, red, green, blue)


def test_landscape_cover_is_wider_than_tall():
    cover = _image(_thumbs(CORPUS / "haydn_quartet-op74-1-mvt3_landscape.pdf")[0][0])
    assert cover.width > cover.height


def test_scale_is_chosen_from_both_dimensions():
    assert thumbnail_scale(612, 792, 400, 3.0) == pytest.approx(400 / 612, rel=1e-4)
    # 10 x 14400 pt: by width alone 40x the page, 576000 px tall; the height cap wins.
    scale = thumbnail_scale(10, 14400, 400, 3.0)
    assert 14400 * scale == pytest.approx(1200, abs=0.1)


def test_metadata_text_is_cleaned_and_capped():
    assert clean_text("Bach\x00 J.S.\x07") == "Bach J.S."
    assert clean_text("x" * 5000) == "x" * 1000
    assert clean_text("\ud800 lone") == "\ufffd lone"


BAD_ROWS = {row["filename"]: row for row in _manifest(BAD / "manifest.csv")}


@pytest.mark.parametrize(
    "name",
    [n for n, row in BAD_ROWS.items() if row["expect"] == "failed"],
)
def test_files_expected_to_fail_are_rejected_with_a_reason(name):
    with pytest.raises(PdfRejected) as rejected:
        read_info(BAD / name)
    assert str(rejected.value)


def test_password_protected_file_says_so():
    with pytest.raises(PdfRejected, match="password"):
        read_info(BAD / "encrypted-user-password.pdf")


@pytest.mark.parametrize(
    "name",
    [
        "encrypted-owner-password-only.pdf",
        "broken-xref.pdf",
        "with-attachment.pdf",
        "giant-page-14400pt.pdf",
        "tall-narrow-page_10x14400pt.pdf",
        "metadata_non-ascii-nul-control-chars.pdf",
    ],
)
def test_files_expected_to_be_ready_are_processed(name):
    info = read_info(BAD / name)
    assert info.pages >= 1
    images, _ = _thumbs(BAD / name, max_pages=2)
    cover = _image(images[0])
    assert images[0].page is None
    assert cover.width <= 400
    assert cover.height <= 1200


def test_owner_password_file_is_recorded_as_encrypted():
    assert read_info(BAD / "encrypted-owner-password-only.pdf").metadata["encrypted"] is True


def test_metadata_with_bad_characters_is_readable():
    metadata = read_info(BAD / "metadata_non-ascii-nul-control-chars.pdf").metadata
    for value in metadata.values():
        if isinstance(value, str):
            assert "\x00" not in value
            assert len(value) <= 1000


def test_page_tree_cycle_never_raises_anything_but_a_rejection():
    try:
        images, rendered = _thumbs(BAD / "page-tree-cycle.pdf")
    except PdfRejected:
        return
    assert images[0].page is None
    assert len(images) - 1 + len(rendered.pages_failed) == min(rendered.pages_total, 3)


async def test_isolated_worker_survives_the_flate_bomb_and_serves_the_next_file():
    worker = IsolatedWorker(_sandbox(memory_limit_mb=700))
    try:
        try:
            await worker.run(
                "render_thumbnails",
                BAD / "flate-bomb-400mb-content.pdf",
                timeout=30,
                on_part=lambda part: None,
                max_pages=1,
                **THUMBNAIL_SIZES,
            )
        except (RenderFailed, PdfRejected):
            pass  # refused within its limits: also a correct outcome
        info = await worker.run("read_info", CORPUS / "bach_chorale-bwv1-6.pdf", timeout=30)
        assert info.pages == 2
    finally:
        worker.close()


async def test_a_worker_that_overruns_is_killed_and_replaced():
    worker = IsolatedWorker(_sandbox(memory_limit_mb=1024))
    parts: list[Thumbnail] = []
    try:
        await worker.run("read_info", CORPUS / "schoenberg_op19-2.pdf", timeout=30)  # started
        with pytest.raises(RenderFailed, match="longer than"):
            # The timeout covers the whole job, however steadily its parts keep coming.
            await worker.run(
                "render_thumbnails",
                BAD / "pages-5000.pdf",
                timeout=1,
                on_part=parts.append,
                max_pages=5000,
                **THUMBNAIL_SIZES,
            )
        assert parts
        info = await worker.run("read_info", CORPUS / "schoenberg_op19-2.pdf", timeout=30)
        assert info.pages == 1
    finally:
        worker.close()


async def test_a_cancelled_job_never_hands_its_answer_to_the_next_one():
    worker = IsolatedWorker(_sandbox(memory_limit_mb=1024))
    try:
        slow = asyncio.create_task(
            worker.run(
                "render_thumbnails",
                CORPUS / "anthology_book.pdf",
                timeout=30,
                on_part=lambda part: None,
                max_pages=93,
                **THUMBNAIL_SIZES,
            )
        )
        await asyncio.sleep(0.5)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        info = await worker.run("read_info", CORPUS / "schoenberg_op19-6.pdf", timeout=30)
        assert info.pages == 1
    finally:
        worker.close()


async def test_a_streaming_job_hands_over_each_image_while_the_next_one_renders():
    worker = IsolatedWorker(_sandbox(memory_limit_mb=1024))
    arrivals: list[tuple[float, int | None]] = []
    try:
        started = time.monotonic()
        rendered = await worker.run(
            "render_thumbnails",
            CORPUS / "anthology_book.pdf",
            timeout=60,
            on_part=lambda image: arrivals.append((time.monotonic() - started, image.page)),
            max_pages=93,
            **THUMBNAIL_SIZES,
        )
        finished = time.monotonic() - started
    finally:
        worker.close()
    assert [page for _, page in arrivals] == [None, *range(1, 94)]
    assert rendered == ThumbnailsRendered(pages_total=93, pages_failed=[])
    # The cover is in the caller's hands long before the last page is rendered.
    assert arrivals[0][0] < finished / 2


async def test_parts_nobody_takes_fail_the_job_and_the_worker_serves_the_next_one():
    worker = IsolatedWorker(_sandbox(memory_limit_mb=1024))
    try:
        with pytest.raises(RenderFailed, match="takes no parts"):
            await worker.run(
                "render_thumbnails",
                CORPUS / "beethoven_quartet-op59-1-mvt2.pdf",
                timeout=30,
                max_pages=34,
                **THUMBNAIL_SIZES,
            )
        assert (await worker.run("read_info", CORPUS / "schoenberg_op19-2.pdf", timeout=30)).pages == 1
    finally:
        worker.close()


async def test_a_caller_that_fails_on_a_part_never_hands_the_rest_to_the_next_job():
    worker = IsolatedWorker(_sandbox(memory_limit_mb=1024))

    def refuse(part: Thumbnail) -> None:
        raise ConnectionError("storage away")

    try:
        with pytest.raises(ConnectionError):
            await worker.run(
                "render_thumbnails",
                CORPUS / "beethoven_quartet-op59-1-mvt2.pdf",
                timeout=30,
                on_part=refuse,
                max_pages=34,
                **THUMBNAIL_SIZES,
            )
        assert (await worker.run("read_info", CORPUS / "schoenberg_op19-6.pdf", timeout=30)).pages == 1
    finally:
        worker.close()
