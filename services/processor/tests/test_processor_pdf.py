import csv
from pathlib import Path

import pytest
from PIL import Image

from scoremate_processor.isolation import IsolatedWorker, RenderFailed
from scoremate_processor.pdf import PdfRejected, clean_text, read_info, render_thumbnails, thumbnail_scale

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
BAD = CORPUS / "bad"


def _manifest(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", _manifest(CORPUS / "manifest.csv"), ids=lambda row: row["filename"])
def test_page_count_and_first_page_size_match_the_manifest(row):
    info = read_info(CORPUS / row["filename"])
    assert info.pages == int(row["pages"])
    assert info.page_sizes[0] == pytest.approx((float(row["width_pt"]), float(row["height_pt"])), abs=0.01)


def _thumbs(path: Path, out: Path, max_pages: int = 3):
    return render_thumbnails(
        path,
        out,
        cover_width_px=400,
        page_width_px=200,
        max_height_factor=3.0,
        max_pages=max_pages,
        quality=80,
    )


def test_cover_and_pages_are_rendered_at_the_target_width(tmp_path):
    result = _thumbs(CORPUS / "handel_lascia-chio-pianga.pdf", tmp_path)
    assert Image.open(result.cover).width == 400
    assert [p.name for p in result.pages] == ["page-0001.jpg", "page-0002.jpg", "page-0003.jpg"]
    assert all(Image.open(p).width == 200 for p in result.pages)
    assert result.pages_total == 4


def test_landscape_cover_is_wider_than_tall(tmp_path):
    cover = Image.open(_thumbs(CORPUS / "haydn_quartet-op74-1-mvt3_landscape.pdf", tmp_path).cover)
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
def test_files_expected_to_be_ready_are_processed(name, tmp_path):
    info = read_info(BAD / name)
    assert info.pages >= 1
    result = _thumbs(BAD / name, tmp_path, max_pages=2)
    cover = Image.open(result.cover)
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


def test_page_tree_cycle_never_raises_anything_but_a_rejection(tmp_path):
    try:
        result = _thumbs(BAD / "page-tree-cycle.pdf", tmp_path)
    except PdfRejected:
        return
    assert result.cover.exists()


async def test_isolated_worker_survives_the_flate_bomb_and_serves_the_next_file(tmp_path):
    worker = IsolatedWorker(memory_limit_mb=700)
    try:
        try:
            await worker.run(
                "render_thumbnails",
                BAD / "flate-bomb-400mb-content.pdf",
                tmp_path,
                timeout=30,
                cover_width_px=400,
                page_width_px=200,
                max_height_factor=3.0,
                max_pages=1,
                quality=80,
            )
        except (RenderFailed, PdfRejected):
            pass  # refused within its limits: also a correct outcome
        info = await worker.run("read_info", CORPUS / "bach_chorale-bwv1-6.pdf", timeout=30)
        assert info.pages == 2
    finally:
        worker.close()


async def test_a_worker_that_overruns_is_killed_and_replaced(tmp_path):
    worker = IsolatedWorker(memory_limit_mb=1024)
    try:
        with pytest.raises(RenderFailed, match="longer than"):
            await worker.run(
                "render_thumbnails",
                BAD / "pages-5000.pdf",
                tmp_path,
                timeout=0.5,
                cover_width_px=400,
                page_width_px=200,
                max_height_factor=3.0,
                max_pages=5000,
                quality=80,
            )
        info = await worker.run("read_info", CORPUS / "schoenberg_op19-2.pdf", timeout=30)
        assert info.pages == 1
    finally:
        worker.close()


async def test_a_cancelled_job_never_hands_its_answer_to_the_next_one(tmp_path):
    import asyncio

    worker = IsolatedWorker(memory_limit_mb=1024)
    try:
        slow = asyncio.create_task(
            worker.run(
                "render_thumbnails",
                CORPUS / "anthology_book.pdf",
                tmp_path,
                timeout=30,
                cover_width_px=400,
                page_width_px=200,
                max_height_factor=3.0,
                max_pages=93,
                quality=80,
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
