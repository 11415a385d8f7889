"""Issue 11's holes around uploaded files, each through the gateway on the real stack."""

import pytest

from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


async def test_a_pdf_with_junk_before_its_header_is_accepted_as_readers_accept_it(api: ApiClient):
    """Row 14: PDF readers look for %PDF- in the first 1,024 bytes, so does verification."""
    user = await api.register()
    data = b"\x00junk\r\n" * 143 + corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes()
    assert 1000 <= data.index(b"%PDF-") < 1024 - 5
    score = await api.upload_score(user, data, title="Junk first")
    ready = await api.wait_for_score(user, score["id"])
    assert ready["status"] == "ready", ready["error"]
    assert ready["pages"] == corpus_manifest()["schoenberg_op19-6.pdf"].pages
