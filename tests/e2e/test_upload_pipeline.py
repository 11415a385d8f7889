"""One score travels the whole upload sequence of EVENTS.md through the gateway."""

import asyncio
import io

import httpx
import pytest
from PIL import Image

from tests.support import CORPUS, ApiClient, corpus_manifest, image_bytes, usage_reaches

pytestmark = pytest.mark.stack

WALKED = [
    "bach_chorale-bwv244-10.pdf",
    "haydn_quartet-op74-1-mvt3_landscape.pdf",
    "mozart_quartet-k458-mvt4.pdf",
    "johnson_lift-every-voice.pdf",
]


async def test_corpus_scores_become_ready_with_their_pages_and_cover(api: ApiClient, stack):
    user = await api.register()
    manifest = corpus_manifest()
    created = [
        (name, await api.upload_score(user, manifest[name].path.read_bytes(), title=name)) for name in WALKED
    ]
    assert [score["status"] for _, score in created] == ["processing"] * len(WALKED)
    ready = await asyncio.gather(*(api.wait_for_score(user, score["id"]) for _, score in created))
    for (name, _), score in zip(created, ready, strict=True):
        expected = manifest[name]
        assert score["status"] == "ready", score
        assert score["error"] is None
        assert score["pages"] == expected.pages
        assert len(score["page_sizes"]) == expected.pages
        assert score["page_sizes"][0] == pytest.approx([expected.width_pt, expected.height_pt], abs=0.01)
        assert score["size_bytes"] == expected.size_bytes
        assert score["content_hash"] == expected.sha256
        async with httpx.AsyncClient(timeout=10) as raw:
            thumbnail = await raw.get(score["thumbnail_url"])
        assert thumbnail.status_code == 200
        assert thumbnail.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(thumbnail.content))
        assert image.format == "JPEG"
        # Portrait covers are taller than wide, the landscape one the other way round.
        assert (image.width > image.height) == (expected.width_pt > expected.height_pt)

    # Each original and the cover and page images stored for it (API.md, `used_bytes`).
    used = 0
    for (name, _), score in zip(created, ready, strict=True):
        images = await image_bytes(stack, user.id, score["id"])
        assert images > 0, name
        used += manifest[name].size_bytes + images
    usage = await usage_reaches(api, user, used)
    assert usage["used_bytes"] == used
    assert usage["scores"] == len(WALKED)


async def test_a_file_that_is_not_a_pdf_fails_with_a_readable_error(api: ApiClient):
    user = await api.register()
    data = (CORPUS / "bad" / "png-image-named.pdf").read_bytes()
    score = await api.upload_score(user, data, title="Not a score")
    failed = await api.wait_for_score(user, score["id"])
    assert failed["status"] == "failed"
    assert "not a pdf" in failed["error"].lower()
    assert failed["thumbnail_url"] is None
    usage = (await api.http.get("/billing/usage", headers=user.headers)).json()
    assert usage["used_bytes"] == 0


async def test_bytes_other_than_announced_fail_verification(api: ApiClient):
    user = await api.register()
    announced = corpus_manifest()["schoenberg_op19-2.pdf"].path.read_bytes()
    upload = (await api.request_upload(user, announced)).json()
    # Same length, different content: the presigned URL accepts it, verification must not.
    tampered = announced[:-10] + b"0123456789"
    put = await api.put_object(upload, tampered)
    assert put.status_code == 200
    created = await api.http.post(
        "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "Tampered"}
    )
    assert created.status_code == 201
    failed = await api.wait_for_score(user, upload["score_id"])
    assert failed["status"] == "failed"
    assert "sha-256" in failed["error"].lower()


async def test_presigned_put_refuses_another_length(api: ApiClient):
    user = await api.register()
    data = corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes()
    upload = (await api.request_upload(user, data)).json()
    response = await api.put_object(
        upload | {"headers": {**upload["headers"], "Content-Length": "5"}}, b"%PDF-"
    )
    assert response.status_code == 403


async def test_another_users_score_is_404(api: ApiClient):
    owner = await api.register()
    stranger = await api.register()
    data = corpus_manifest()["ciconia_quod-jactatur.pdf"].path.read_bytes()
    score = await api.upload_score(owner, data, title="Mine")
    response = await api.http.get(f"/scores/{score['id']}", headers=stranger.headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    listing = (await api.http.get("/scores", headers=stranger.headers)).json()
    assert listing["total"] == 0


async def test_every_response_carries_request_id_and_traceparent(api: ApiClient):
    response = await api.http.get("/scores", headers={"X-Request-ID": "client-chosen-id"})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "client-chosen-id"
    assert response.headers["traceparent"].startswith("00-")
    unknown = await api.http.get("/no/such/path")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.headers["x-request-id"]
