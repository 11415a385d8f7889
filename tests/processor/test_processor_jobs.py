"""The processor on the real stack: hostile PDFs, the tasks API, a killed worker, two instances."""

import asyncio
import signal

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from scoremate_processor.schemas import ProcessorJobRequestedV1
from tests.support import CORPUS, ApiClient, User, bad_corpus_manifest, corpus_manifest

pytestmark = pytest.mark.stack


async def _tasks(api: ApiClient, user: User, score_id: str) -> dict[str, dict]:
    listing = await api.http.get("/tasks", params={"score_id": score_id}, headers=user.headers)
    assert listing.status_code == 200
    return {task["kind"]: task for task in listing.json()["items"]}


async def test_every_bad_file_gets_the_outcome_its_manifest_asks_and_the_worker_keeps_serving(api: ApiClient):
    user = await api.register()
    manifest = bad_corpus_manifest()
    empty = await api.request_upload(user, b"", filename="empty.pdf")
    assert empty.status_code == 422

    created = {}
    for name in manifest:
        if name == "empty.pdf":
            continue
        score = await api.upload_score(user, (CORPUS / "bad" / name).read_bytes(), title=name)
        created[name] = score["id"]
    good = await api.upload_score(
        user, corpus_manifest()["bach_chorale-bwv1-6.pdf"].path.read_bytes(), "After"
    )

    outcomes = {name: await api.wait_for_score(user, sid, timeout=120) for name, sid in created.items()}
    for name, score in outcomes.items():
        expect = manifest[name]["expect"]
        allowed = {"ready", "failed"} if expect == "ready-or-failed" else {expect}
        assert score["status"] in allowed, (name, score["status"], score["error"])
        if score["status"] == "failed":
            assert score["error"], name
            assert len(score["error"]) < 500, name
    assert "not a pdf" in outcomes["png-image-named.pdf"]["error"].lower()
    assert "password" in outcomes["encrypted-user-password.pdf"]["error"].lower()
    assert outcomes["broken-xref.pdf"]["pages"] == 2
    assert outcomes["pages-5000.pdf"]["pages"] == 5000
    assert outcomes["giant-page-14400pt.pdf"]["page_sizes"][0] == [14400, 14400]
    # Permanent failures are not retried.
    locked = await _tasks(api, user, created["encrypted-user-password.pdf"])
    assert locked["pdf_info"]["status"] == "FAILED"
    assert locked["pdf_info"]["try_count"] == 1
    assert (await api.wait_for_score(user, good["id"]))["status"] == "ready"


async def test_tasks_api_and_page_thumbnails(api: ApiClient):
    user = await api.register()
    entry = corpus_manifest()["handel_lascia-chio-pianga.pdf"]
    score = await api.upload_score(user, entry.path.read_bytes(), "Lascia")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"

    tasks = await _tasks(api, user, score["id"])
    assert {k: (t["status"], t["try_count"]) for k, t in tasks.items()} == {
        "pdf_info": ("SUCCEEDED", 1),
        "thumbnail": ("SUCCEEDED", 1),
    }
    one = await api.http.get(f"/tasks/{tasks['thumbnail']['id']}", headers=user.headers)
    assert one.json()["log"]

    async with httpx.AsyncClient(timeout=10) as raw:
        for page in range(1, entry.pages + 1):
            link = await api.http.get(
                "/files/download-url", params={"score_id": score["id"], "page": page}, headers=user.headers
            )
            assert link.status_code == 200, page
            image = await raw.get(link.json()["url"])
            assert image.headers["content-type"] == "image/jpeg"
    beyond = await api.http.get(
        "/files/download-url", params={"score_id": score["id"], "page": entry.pages + 1}, headers=user.headers
    )
    assert beyond.status_code == 404

    refreshed = await api.http.post(
        "/tasks/refresh-thumbnails", params={"score_id": score["id"]}, headers=user.headers
    )
    assert refreshed.status_code == 202
    assert refreshed.json()["id"] == tasks["thumbnail"]["id"]
    for _ in range(100):
        again = (await api.http.get(f"/tasks/{tasks['thumbnail']['id']}", headers=user.headers)).json()
        if again["status"] == "SUCCEEDED" and any("refresh" in line for line in again["log"]):
            break
        await asyncio.sleep(0.1)
    assert again["status"] == "SUCCEEDED"
    assert any("refresh" in line for line in again["log"])

    layout = await api.http.post("/tasks/run-layout", params={"score_id": score["id"]}, headers=user.headers)
    assert layout.status_code == 503

    stranger = await api.register()
    assert (
        await api.http.get(f"/tasks/{tasks['pdf_info']['id']}", headers=stranger.headers)
    ).status_code == 404
    foreign = await api.http.post(
        "/tasks/refresh-thumbnails", params={"score_id": score["id"]}, headers=stranger.headers
    )
    assert foreign.status_code == 404
    assert (await _tasks(api, stranger, score["id"])) == {}


async def test_thumbnails_follow_the_page_count_in_its_job_without_a_message_of_their_own(
    api: ApiClient, stack
):
    user = await api.register()
    entry = corpus_manifest()["cpebach_sonata-h186.pdf"]
    score = await api.upload_score(user, entry.path.read_bytes(), "Sonata")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"

    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.connect() as conn:
            requested = await conn.scalars(
                sa.text(
                    "SELECT envelope->'data'->>'kind' FROM processor.outbox "
                    "WHERE routing_key = :key AND envelope->'data'->>'score_id' = :score"
                ),
                {"key": ProcessorJobRequestedV1.routing_key, "score": score["id"]},
            )
            assert list(requested) == ["pdf_info"]
    finally:
        await engine.dispose()
    tasks = await _tasks(api, user, score["id"])
    assert {kind: (task["status"], task["try_count"]) for kind, task in tasks.items()} == {
        "pdf_info": ("SUCCEEDED", 1),
        "thumbnail": ("SUCCEEDED", 1),
    }


async def test_a_processor_killed_mid_job_leaves_nothing_stuck(api: ApiClient, stack):
    user = await api.register()
    score = await api.upload_score(user, (CORPUS / "bad" / "pages-5000.pdf").read_bytes(), "Five thousand")
    for _ in range(300):
        tasks = await _tasks(api, user, score["id"])
        if tasks.get("thumbnail", {}).get("status") == "RUNNING":
            break
        await asyncio.sleep(0.05)
    assert tasks["thumbnail"]["status"] == "RUNNING"
    stack.kill("processor", signal.SIGKILL)
    await asyncio.to_thread(stack.start, "processor")

    assert (await api.wait_for_score(user, score["id"], timeout=120))["status"] == "ready"
    thumbnail = (await _tasks(api, user, score["id"]))["thumbnail"]
    assert thumbnail["status"] == "SUCCEEDED"
    assert thumbnail["try_count"] == 2
    assert any("taking over" in line for line in thumbnail["log"])


async def test_two_processor_instances_never_run_one_job_twice(api: ApiClient, stack):
    await asyncio.to_thread(stack.start_service, "processor", 2)
    try:
        user = await api.register()
        names = [n for n in corpus_manifest() if corpus_manifest()[n].size_bytes < 200_000][:10]
        scores = [await api.upload_score(user, corpus_manifest()[n].path.read_bytes(), n) for n in names]
        for score in scores:
            assert (await api.wait_for_score(user, score["id"], timeout=60))["status"] == "ready"
            for task in (await _tasks(api, user, score["id"])).values():
                assert task["try_count"] == 1, task
                assert sum("started" in line for line in task["log"]) == 1, task
    finally:
        await asyncio.to_thread(stack.stop, "processor-2")
