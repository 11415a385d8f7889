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


def _one_page_pdf_by(author: bytes) -> bytes:
    """A minimal valid one-page PDF whose document information names `author`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Title (Hostile) /Author (" + author + b") >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return pdf + trailer.encode()


async def test_markup_in_the_pdf_author_never_reaches_the_composer(api: ApiClient):
    """Row 11: metadata taken from a PDF is plain text before it is stored."""
    user = await api.register()
    data = _one_page_pdf_by(b"<img src=x onerror=alert(1)>Clara Schumann")
    score = await api.upload_score(user, data, title="No composer given")
    ready = await api.wait_for_score(user, score["id"])
    assert ready["status"] == "ready", ready["error"]
    assert ready["composer"] == "Clara Schumann"
    assert ready["filled_from_pdf"] == ["composer"]


async def test_an_upload_token_makes_one_score_ever_even_after_that_score_is_deleted(api: ApiClient):
    """Row 13: a replayed token after deletion would bring the object back, counted by nobody."""
    user = await api.register()
    data = corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes() + b"\n% replay\n"
    upload = (await api.request_upload(user, data)).json()
    assert (await api.put_object(upload, data)).status_code == 200
    body = {"upload_token": upload["upload_token"], "title": "Once"}
    created = await api.http.post("/scores", headers=user.headers, json=body)
    assert created.status_code == 201, created.text
    await api.wait_for_score(user, created.json()["id"])
    deleted = await api.http.delete(f"/scores/{created.json()['id']}", headers=user.headers)
    assert deleted.status_code == 204
    replayed = await api.http.post("/scores", headers=user.headers, json=body)
    assert replayed.status_code == 409, replayed.text
    assert replayed.json()["type"].endswith("/upload-token-used")
    assert (await api.http.get(f"/scores/{created.json()['id']}", headers=user.headers)).status_code == 404
