"""Checking an uploaded object against what was announced, streaming, never whole in memory."""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None = None


async def verify_stream(chunks: AsyncIterator[bytes], *, size_bytes: int, content_hash: str) -> Verdict:
    """Hash the stream, check its length and that it starts like a PDF."""
    digest = hashlib.sha256()
    head = b""
    received = 0
    async for chunk in chunks:
        if len(head) < len(PDF_MAGIC):
            head += chunk[: len(PDF_MAGIC) - len(head)]
        digest.update(chunk)
        received += len(chunk)
    if received != size_bytes:
        return Verdict(False, f"the file has {received} bytes, not the {size_bytes} announced")
    if not head.startswith(PDF_MAGIC):
        return Verdict(False, "the file is not a PDF (it does not start with %PDF-)")
    if digest.hexdigest() != content_hash.lower():
        return Verdict(False, "the file's content does not match the announced SHA-256")
    return Verdict(True)
