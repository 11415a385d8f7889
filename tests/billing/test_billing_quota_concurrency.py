"""50 concurrent upload-url requests for a user with room for 10 files: at most 10 succeed, and
after every upload settles the usage is exactly the sum of the stored files and their images."""

import asyncio

import pytest

from tests.conftest import TEST_SOLO_QUOTA_MB
from tests.support import ApiClient, corpus_manifest, image_bytes, usage_reaches

pytestmark = pytest.mark.stack

FILE_BYTES = 500_000  # ten fit in the 5 MB test quota (5,242,880 bytes), eleven do not


def _padded_pdf(index: int) -> bytes:
    base = corpus_manifest()["bach_chorale-bwv244-10.pdf"].path.read_bytes()
    tail = f"\n% copy {index}\n".encode()
    return base + tail + b"%" * (FILE_BYTES - len(base) - len(tail) - 1) + b"\n"


async def test_concurrent_upload_urls_never_overshoot_the_quota(api: ApiClient, stack):
    assert 10 * FILE_BYTES <= TEST_SOLO_QUOTA_MB * 1024 * 1024 < 11 * FILE_BYTES
    user = await api.register()
    files = [_padded_pdf(i) for i in range(50)]
    assert {len(f) for f in files} == {FILE_BYTES}
    responses = await asyncio.gather(*(api.request_upload(user, data) for data in files))
    granted = [(data, r.json()) for data, r in zip(files, responses, strict=True) if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    # Requests of one user take turns on its quota row: exactly the ten that fit are granted.
    assert len(granted) == 10
    assert {r.status_code for r in refused} == {403}
    assert all(r.json()["type"].endswith("quota-exceeded") for r in refused)

    scores = []
    for data, upload in granted:
        assert (await api.put_object(upload, data)).status_code == 200
        created = await api.http.post(
            "/scores", headers=user.headers, json={"upload_token": upload["upload_token"], "title": "Copy"}
        )
        assert created.status_code == 201
        scores.append(created.json()["id"])
    for score_id in scores:
        assert (await api.wait_for_score(user, score_id))["status"] == "ready"
    # Each original and the cover and page images stored for it (API.md, `used_bytes`).
    expected = len(granted) * FILE_BYTES + await image_bytes(stack, user.id)
    usage = await usage_reaches(api, user, expected)
    assert usage["used_bytes"] == expected
    assert usage["scores"] == len(granted)
    # Full: an eleventh file is still refused once the ten are stored.
    one_more = await api.request_upload(user, _padded_pdf(99))
    assert one_more.status_code == 403
