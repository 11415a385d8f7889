"""Checking an uploaded object against what was announced, streaming, never whole in memory."""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

PDF_MAGIC = b"%PDF-"
# PDF readers (PDFium included) accept the header anywhere in the first 1,024 bytes: some
# producers write a few bytes of junk (a BOM, a mail header) before it.
HEADER_WINDOW = 1024


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None = None


async def verify_stream(chunks: AsyncIterator[bytes], *, size_bytes: int, content_hash: str) -> Verdict:
    """Hash the stream, check its length and that it has a PDF header where readers look for it."""
    digest = hashlib.sha256()
    head = b""
    received = 0
    async for chunk in chunks:
        if len(head) < HEADER_WINDOW:
            head += chunk[: HEADER_WINDOW - len(head)]
        digest.update(chunk)
        received += len(chunk)
    if received != size_bytes:
        return Verdict(False, f"the file has {received} bytes, not the {size_bytes} announced")
    if PDF_MAGIC not in head:
        return Verdict(False, "the file is not a PDF (no %PDF- header in its first 1,024 bytes)")
    if digest.hexdigest() != content_hash.lower():
        return Verdict(False, "the file's content does not match the announced SHA-256")
    return Verdict(True)
