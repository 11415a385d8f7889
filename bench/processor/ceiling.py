"""The ceiling: bare pypdfium2 + Pillow doing the processor's work, one process per core.

A module of its own: spawned processes import it by name (they cannot import a package's
`__main__`)."""

import io
import multiprocessing
import os
import time
from pathlib import Path

import pypdfium2 as pdfium

from scoremate_processor.pdf import JPEG_OPTIONS
from scoremate_processor.settings import ProcessorSettings

PROCESSES = os.cpu_count() or 1
# The processor's own defaults, so that both sides render and encode the same images.
DEFAULTS = {name: field.default for name, field in ProcessorSettings.model_fields.items()}


def _render_jpeg(page: pdfium.PdfPage, width_px: int) -> None:
    width_pt, height_pt = page.get_size()
    height_cap_px = width_px * DEFAULTS["max_thumb_height_factor"]
    scale = min((width_px - 0.01) / width_pt, (height_cap_px - 0.01) / height_pt)
    image = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True).to_pil().convert("RGB")
    image.save(io.BytesIO(), format="JPEG", quality=DEFAULTS["jpeg_quality"], **JPEG_OPTIONS)


def bare_work(path: Path) -> tuple[int, float]:
    """Page count and sizes, the cover and every page of one file: pages and CPU seconds."""
    started = time.process_time()
    pdf = pdfium.PdfDocument(path)
    try:
        pages = len(pdf)
        for index in range(pages):
            pdf.get_page_size(index)
        for index in range(min(pages, DEFAULTS["max_pages_thumbnailed"])):
            page = pdf[index]
            if index == 0:
                _render_jpeg(page, DEFAULTS["cover_width_px"])
            _render_jpeg(page, DEFAULTS["page_thumb_width_px"])
            page.close()
    finally:
        pdf.close()
    return pages, time.process_time() - started


def _started() -> None:
    """Run once in every process before the clock starts: start-up and imports are not measured."""


def ceiling(paths: list[Path]) -> tuple[int, float, float]:
    """Pages, seconds and CPU seconds for all the files, largest first, handed out one at a time."""
    largest_first = sorted(paths, key=lambda path: path.stat().st_size, reverse=True)
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        pool.starmap(_started, [()] * PROCESSES)
        started = time.perf_counter()
        done = list(pool.imap_unordered(bare_work, largest_first, chunksize=1))
        seconds = time.perf_counter() - started
    return sum(pages for pages, _ in done), seconds, sum(cpu for _, cpu in done)
