"""LAYOUT_HOOK against real local layout services: one that answers, one slow, one failing."""

import asyncio
import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from scoremate_stack import Stack
from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack


class LayoutService:
    """/ok fetches the PDF it is given and answers its layout; /slow stalls; /fail answers 500."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.requests.append(body)
                if self.path == "/slow":
                    time.sleep(3)
                if self.path == "/fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                pdf = httpx.get(body["pdf_url"], timeout=10)
                answer = json.dumps(
                    {"pdf_starts_with": pdf.content[:5].decode(), "systems": [[0, 0, 10, 10]]}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


async def _restart_processor(stack: Stack, env: dict[str, str]) -> None:
    """The processor again, with these settings on top of the test ones."""
    extra = {**stack.cfg.extra_env, "processor": {**stack.cfg.extra_env.get("processor", {}), **env}}
    configured = Stack(dataclasses.replace(stack.cfg, extra_env=extra))
    await asyncio.to_thread(configured.stop, "processor")
    await asyncio.to_thread(configured.start, "processor")


async def _layout_task(api: ApiClient, user: User, score_id: str, until: set[str]) -> dict:
    started = await api.http.post("/tasks/run-layout", params={"score_id": score_id}, headers=user.headers)
    assert started.status_code == 202, started.text
    task = started.json()
    assert task["kind"] == "layout_hook"
    for _ in range(300):
        task = (await api.http.get(f"/tasks/{task['id']}", headers=user.headers)).json()
        if task["status"] in until:
            return task
        await asyncio.sleep(0.1)
    raise AssertionError(task)


async def test_layout_hook_with_a_service_that_answers_one_that_is_slow_and_one_that_fails(
    api: ApiClient, stack
):
    layout = LayoutService()
    user = await api.register()
    score = await api.upload_score(
        user, corpus_manifest()["bach_chorale-bwv1-6.pdf"].path.read_bytes(), "Chorale"
    )
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    try:
        await _restart_processor(stack, {"LAYOUT_SERVICE_URL": f"{layout.url}/ok"})
        task = await _layout_task(api, user, score["id"], {"SUCCEEDED", "FAILED"})
        assert task["status"] == "SUCCEEDED", task["log"]
        assert layout.requests[-1]["score_id"] == score["id"]

        settings = {"JOB_MAX_TRIES": "3", "LAYOUT_TIMEOUT_SECONDS": "1"}
        await _restart_processor(stack, {"LAYOUT_SERVICE_URL": f"{layout.url}/fail", **settings})
        failed = await _layout_task(api, user, score["id"], {"FAILED"})
        assert failed["try_count"] == 3
        assert sum("will retry" in line for line in failed["log"]) == 2
        assert "500" in failed["log"][-1]

        await _restart_processor(stack, {"LAYOUT_SERVICE_URL": f"{layout.url}/slow", **settings})
        slow = await _layout_task(api, user, score["id"], {"FAILED"})
        assert slow["try_count"] == 3
        assert "Timeout" in slow["log"][-1]
        # The layout is an extra: the score itself stays ready.
        assert (await api.http.get(f"/scores/{score['id']}", headers=user.headers)).json()[
            "status"
        ] == "ready"
    finally:
        await _restart_processor(stack, {})
        layout.server.shutdown()


async def test_a_task_retries_as_often_as_its_own_setting_allows_not_as_the_broker_counts(
    api: ApiClient, stack
):
    # A page count and its thumbnails share one message: the task, not the message, counts tries.
    layout = LayoutService()
    user = await api.register()
    score = await api.upload_score(
        user, corpus_manifest()["bach_chorale-bwv140-7.pdf"].path.read_bytes(), "Chorale"
    )
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    try:
        settings = {"JOB_MAX_TRIES": "3", "CONSUMER_MAX_RETRIES": "1", "LAYOUT_TIMEOUT_SECONDS": "1"}
        await _restart_processor(stack, {"LAYOUT_SERVICE_URL": f"{layout.url}/fail", **settings})
        failed = await _layout_task(api, user, score["id"], {"FAILED"})
        assert failed["try_count"] == 3
        assert "gave up after 3 tries" in failed["log"][-1]
    finally:
        await _restart_processor(stack, {})
        layout.server.shutdown()
