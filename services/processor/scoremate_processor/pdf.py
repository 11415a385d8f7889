"""The work on one PDF, with PDFium (pypdfium2) and Pillow; runs inside an isolated worker process,
which is handed the PDF as an open file (it cannot open the service's files by path).

Every call into PDFium is wrapped: hostile files (page-tree cycles, metadata with invalid
UTF-16, giant or tall-narrow pages) must end as a clear outcome, never a crash of the caller.
"""

import io
import math
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

METADATA_FIELDS = ("Title", "Author", "Subject", "Keywords", "Producer")
MAX_METADATA_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Pillow's encoder options beside the quality setting (the benchmark's ceiling uses them too).
JPEG_OPTIONS: dict[str, Any] = {"optimize": True}
# A path, or a file opened for reading (what a render worker is handed).
PdfSource = Path | BinaryIO


class PdfRejected(Exception):
    """The file can never be processed (not a PDF, password-protected, unreadable): no retries."""


@dataclass
class PdfInfo:
    pages: int
    page_sizes: list[tuple[float, float]]
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Thumbnail:
    """One encoded image: the cover (page None) or the thumbnail of a page (numbered from 1)."""

    page: int | None
    jpeg: bytes
    of_pages: int = 0  # how many page images this run renders (0: not said), for progress reports


@dataclass
class ThumbnailsRendered:
    """What a THUMBNAIL run did, once every image has been handed over."""

    pages_total: int
    pages_failed: list[int] = field(default_factory=list)


def open_pdf(source: PdfSource) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        # Branch only on the error code, never on PDFium's text (it can say "Success").
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise PdfRejected("the PDF is password-protected") from exc
        raise PdfRejected("the file is not a readable PDF") from exc
    except Exception as exc:
        raise PdfRejected("the file is not a readable PDF") from exc
    if len(pdf) < 1:
        pdf.close()
        raise PdfRejected("the PDF has no pages")
    return pdf


def clean_text(value: str) -> str | None:
    """Drop control characters and lone surrogates, cap the length."""
    cleaned = _SURROGATE.sub("\ufffd", _CONTROL.sub("", value)).strip()
    return cleaned[:MAX_METADATA_CHARS] or None


def read_metadata(pdf: pdfium.PdfDocument) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key in METADATA_FIELDS:
        try:
            value = pdf.get_metadata_value(key)
        except Exception:  # undecodable: one field lost, not the document
            value = ""
        metadata[key.lower()] = clean_text(value) if value else None
    metadata["encrypted"] = pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1
    return metadata


def read_info(source: PdfSource) -> PdfInfo:
    """PDF_INFO: page count, every page's size in points (rotation applied), metadata."""
    pdf = open_pdf(source)
    try:
        count = len(pdf)
        sizes: list[tuple[float, float]] = []
        for index in range(count):
            try:
                width, height = pdf.get_page_size(index)
            except Exception as exc:
                raise PdfRejected(f"page {index + 1} of the PDF cannot be read") from exc
            sizes.append((round(width, 2), round(height, 2)))
        return PdfInfo(pages=count, page_sizes=sizes, metadata=read_metadata(pdf))
    finally:
        pdf.close()


def thumbnail_scale(
    width_pt: float, height_pt: float, target_width_px: int, max_height_factor: float
) -> float:
    """The render scale giving the target width, reduced so the height stays within bounds."""
    if width_pt <= 0 or height_pt <= 0 or not math.isfinite(width_pt * height_pt):
        raise PdfRejected("a page of the PDF has no usable size")
    # A hair under the target: the bitmap size is rounded up, and 401 px is not 400.
    by_width = (target_width_px - 0.01) / width_pt
    by_height = (target_width_px * max_height_factor - 0.01) / height_pt
    return min(by_width, by_height)


def render_jpeg(page: pdfium.PdfPage, width_px: int, max_height_factor: float, quality: int) -> bytes:
    width_pt, height_pt = page.get_size()
    scale = thumbnail_scale(width_pt, height_pt, width_px, max_height_factor)
    # Rendered at the final size directly: never more pixels than the thumbnail needs. In RGB byte
    # order, so that Pillow takes the pixels as they are instead of reordering every one.
    bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True)
    try:
        encoded = io.BytesIO()
        bitmap.to_pil().convert("RGB").save(encoded, format="JPEG", quality=quality, **JPEG_OPTIONS)
        return encoded.getvalue()
    finally:
        bitmap.close()


def render_page(
    pdf: pdfium.PdfDocument, index: int, widths_px: tuple[int, ...], max_height_factor: float, quality: int
) -> list[bytes]:
    """The page as a JPEG at each width, loaded once."""
    page = pdf[index]
    try:
        return [render_jpeg(page, width_px, max_height_factor, quality) for width_px in widths_px]
    finally:
        page.close()


def render_thumbnails(
    source: PdfSource,
    *,
    cover_width_px: int,
    page_width_px: int,
    max_height_factor: float,
    max_pages: int,
    quality: int,
) -> Generator[Thumbnail, None, ThumbnailsRendered]:
    """THUMBNAIL: the cover at the cover width, then one image per page (up to max_pages, at least
    one), each yielded once encoded, so that the caller stores it while the next one renders."""
    pdf = open_pdf(source)
    try:
        try:
            cover, first_page = render_page(
                pdf, 0, (cover_width_px, page_width_px), max_height_factor, quality
            )
        except PdfRejected:
            raise
        except Exception as exc:
            raise PdfRejected("the first page of the PDF cannot be rendered") from exc
        rendering = max(1, min(len(pdf), max_pages))
        yield Thumbnail(None, cover, rendering)
        yield Thumbnail(1, first_page, rendering)
        result = ThumbnailsRendered(pages_total=len(pdf))
        for index in range(1, rendering):
            try:
                (jpeg,) = render_page(pdf, index, (page_width_px,), max_height_factor, quality)
            except Exception:  # one broken page (a page-tree cycle) costs that page only
                result.pages_failed.append(index + 1)
                continue
            yield Thumbnail(index + 1, jpeg, rendering)
        return result
    finally:
        pdf.close()


def rehearse() -> None:
    """Do the work once on a blank page made here, so that what it loads lazily (Pillow, its JPEG
    encoder, the codec of PDF metadata) is loaded before a worker enters its sandbox, where it may
    no longer read the Python installation."""
    blank = pdfium.PdfDocument.new()
    try:
        blank.new_page(72, 72).close()
        source = io.BytesIO()
        blank.save(source)
    finally:
        blank.close()
    source.seek(0)
    read_info(source)
    source.seek(0)
    list(
        render_thumbnails(
            source, cover_width_px=16, page_width_px=16, max_height_factor=1.0, max_pages=1, quality=50
        )
    )
