"""Every admin call: 403 for a non-admin, and what an operator sees and does with it."""

import asyncio

import pytest

from tests.admin.test_admin_operations import make_admin
from tests.support import CORPUS, ApiClient, corpus_manifest, image_bytes, usage_reaches

pytestmark = pytest.mark.stack

ADMIN_CALLS = [
    ("GET", "/admin/users"),
    ("GET", "/admin/tasks?status=FAILED"),
    ("POST", "/admin/tasks/00000000-0000-0000-0000-000000000000/retry"),
    ("GET", "/admin/files?user_id=00000000-0000-0000-0000-000000000000"),
    ("POST", "/admin/files/reconcile?prefix=00000000-0000-0000-0000-000000000000/"),
    ("GET", "/admin/access-log"),
    ("GET", "/admin/dead-letters/files"),
    ("POST", "/admin/dead-letters/files/files.score-created/replay"),
]


async def test_every_admin_call_is_403_for_a_user_and_401_without_a_token(api: ApiClient):
    user = await api.register()
    for method, path in ADMIN_CALLS:
        response = await api.http.request(method, path, headers=user.headers)
        assert response.status_code == 403, (method, path, response.text)
        anonymous = await api.http.request(method, path)
        assert anonymous.status_code == 401, (method, path)


async def test_admin_sees_users_tasks_files_and_the_access_log_and_retries_a_failed_task(
    api: ApiClient, stack
):
    owner = await api.register()
    good = corpus_manifest()["bach_chorale-bwv227-1.pdf"]
    ready = await api.upload_score(owner, good.path.read_bytes(), title="Chorale")
    locked = await api.upload_score(
        owner, (CORPUS / "bad" / "encrypted-user-password.pdf").read_bytes(), "Locked"
    )
    assert (await api.wait_for_score(owner, ready["id"]))["status"] == "ready"
    assert (await api.wait_for_score(owner, locked["id"]))["status"] == "failed"
    download = await api.http.get(
        "/files/download-url", params={"score_id": ready["id"]}, headers=owner.headers
    )
    assert download.status_code == 200
    # Both originals, and the images of the one that rendered (API.md, `used_bytes`).
    locked_bytes = (CORPUS / "bad" / "encrypted-user-password.pdf").stat().st_size
    used = good.size_bytes + locked_bytes + await image_bytes(stack, owner.id)
    assert (await usage_reaches(api, owner, used))["used_bytes"] == used
    admin = await make_admin(api, stack, await api.register())

    users_response = await api.http.get("/admin/users", params={"page_size": 100}, headers=admin.headers)
    assert users_response.status_code == 200, users_response.text
    users = users_response.json()
    mine = next(u for u in users["items"] if u["user_id"] == owner.id)
    assert mine["used_bytes"] == used
    assert mine["plan"] == "solo"

    failed = (
        await api.http.get(
            "/admin/tasks", params={"status": "FAILED", "page_size": 100}, headers=admin.headers
        )
    ).json()
    task = next(t for t in failed["items"] if t["score_id"] == locked["id"])
    assert task["kind"] == "pdf_info"
    assert any("password" in line for line in task["log"])
    retried = await api.http.post(f"/admin/tasks/{task['id']}/retry", headers=admin.headers)
    assert retried.status_code == 202
    assert retried.json()["status"] == "PENDING"
    succeeded = (await api.http.get("/tasks", params={"score_id": ready["id"]}, headers=owner.headers)).json()
    again = await api.http.post(f"/admin/tasks/{succeeded['items'][0]['id']}/retry", headers=admin.headers)
    assert again.status_code == 409

    files = (
        await api.http.get(
            "/admin/files", params={"user_id": owner.id, "page_size": 100}, headers=admin.headers
        )
    ).json()
    kinds = {(f["score_id"], f["kind"]) for f in files["items"]}
    assert (ready["id"], "original") in kinds
    assert (ready["id"], "cover") in kinds

    log = await api.http.get(
        "/admin/access-log", params={"user_id": owner.id, "action": "download"}, headers=admin.headers
    )
    assert [entry["score_id"] for entry in log.json()["items"]] == [ready["id"]]

    # Every admin action above is itself in the access log, under the admin.
    for _ in range(50):
        mine_logged = await api.http.get(
            "/admin/access-log", params={"user_id": admin.id, "page_size": 100}, headers=admin.headers
        )
        actions = {entry["action"] for entry in mine_logged.json()["items"]}
        if {"admin:list_users", "admin:list_tasks", "admin:retry_task", "admin:list_files"} <= actions:
            break
        await asyncio.sleep(0.1)
    assert {"admin:list_users", "admin:list_tasks", "admin:retry_task", "admin:list_files"} <= actions
