"""Restarting RabbitMQ while scores are being created loses no event."""

import asyncio

import pytest

from tests.support import ApiClient, corpus_manifest, image_bytes, usage_reaches

pytestmark = pytest.mark.stack


async def test_scores_created_across_a_broker_restart_all_become_ready(api: ApiClient, stack):
    user = await api.register()
    manifest = corpus_manifest()
    files = [
        "bach_chorale-bwv1-6.pdf",
        "bach_chorale-bwv140-7.pdf",
        "bach_chorale-bwv227-1.pdf",
        "berlin_alexanders-ragtime-band.pdf",
        "corelli_trio-sonata-op3-1-grave.pdf",
        "palestrina_agnus-ii-47.pdf",
    ]
    before = [await api.upload_score(user, manifest[name].path.read_bytes(), name) for name in files[:3]]

    await asyncio.to_thread(stack.stop, "rabbitmq")
    # The HTTP side keeps working without the broker: the outbox holds the events.
    during = [await api.upload_score(user, manifest[name].path.read_bytes(), name) for name in files[3:]]
    await asyncio.to_thread(stack.start, "rabbitmq")

    scores = before + during
    ready = await asyncio.gather(*(api.wait_for_score(user, s["id"], timeout=90) for s in scores))
    assert [s["status"] for s in ready] == ["ready"] * len(files)
    # Each original and the cover and page images stored for it (API.md, `used_bytes`).
    used = 0
    for name, score in zip(files, ready, strict=True):
        assert score["pages"] == manifest[name].pages
        used += manifest[name].size_bytes + await image_bytes(stack, user.id, score["id"])
    usage = await usage_reaches(api, user, used)
    assert usage["used_bytes"] == used
