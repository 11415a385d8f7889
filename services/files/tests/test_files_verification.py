import hashlib
from pathlib import Path

import pytest

from scoremate_files.schemas import UploadUrlIn
from scoremate_files.uploads import QuotaExceeded, check_quota
from scoremate_files.verification import verify_stream

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"


async def _chunks(data: bytes, size: int = 7):
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_real_pdf_passes_in_small_chunks():
    data = (CORPUS / "bach_chorale-bwv244-10.pdf").read_bytes()
    verdict = await verify_stream(
        _chunks(data, 1000), size_bytes=len(data), content_hash=hashlib.sha256(data).hexdigest()
    )
    assert verdict.ok


async def test_an_image_named_pdf_is_not_a_pdf():
    data = (CORPUS / "bad" / "png-image-named.pdf").read_bytes()
    verdict = await verify_stream(
        _chunks(data, 3), size_bytes=len(data), content_hash=hashlib.sha256(data).hexdigest()
    )
    assert not verdict.ok
    assert "not a PDF" in (verdict.reason or "")


@pytest.mark.parametrize("junk", [0, 1, 1000, 1019])
async def test_a_header_within_the_first_1024_bytes_is_a_pdf(junk):
    data = b"\xef" * junk + (CORPUS / "bach_chorale-bwv244-10.pdf").read_bytes()
    verdict = await verify_stream(
        _chunks(data, 100), size_bytes=len(data), content_hash=hashlib.sha256(data).hexdigest()
    )
    assert verdict.ok, verdict.reason


async def test_a_header_past_the_first_1024_bytes_is_not_a_pdf():
    data = b" " * 1020 + (CORPUS / "bach_chorale-bwv244-10.pdf").read_bytes()
    verdict = await verify_stream(
        _chunks(data, 100), size_bytes=len(data), content_hash=hashlib.sha256(data).hexdigest()
    )
    assert not verdict.ok
    assert "not a PDF" in (verdict.reason or "")


async def test_other_content_than_announced_is_refused():
    data = b"%PDF-1.7 some content"
    verdict = await verify_stream(_chunks(data), size_bytes=len(data), content_hash="0" * 64)
    assert not verdict.ok
    assert "SHA-256" in (verdict.reason or "")


async def test_a_shorter_stream_than_announced_is_refused():
    data = b"%PDF-1.7"
    verdict = await verify_stream(
        _chunks(data), size_bytes=100, content_hash=hashlib.sha256(data).hexdigest()
    )
    assert not verdict.ok
    assert "100" in (verdict.reason or "")


def test_quota_counts_held_bytes_and_the_new_file():
    check_quota(total_bytes=100, held_bytes=60, size_bytes=40)
    with pytest.raises(QuotaExceeded) as refused:
        check_quota(total_bytes=100, held_bytes=60, size_bytes=41)
    assert refused.value.to_problem()["type"].endswith("quota-exceeded")
    assert refused.value.status == 403


def test_upload_request_normalises_hash_and_mime_and_refuses_control_characters():
    body = UploadUrlIn(
        filename="bach.pdf", size_bytes=10, mime="Application/PDF; x=y", content_hash="AB" * 32
    )
    assert body.content_hash == "ab" * 32
    assert body.mime == "application/pdf"
    with pytest.raises(ValueError, match="control"):
        UploadUrlIn(filename="a\x00.pdf", size_bytes=10, mime="application/pdf", content_hash="ab" * 32)
    with pytest.raises(ValueError, match="content_hash"):
        UploadUrlIn(filename="a.pdf", size_bytes=10, mime="application/pdf", content_hash="xyz")
