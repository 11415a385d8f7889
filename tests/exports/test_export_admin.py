"""Data-subject requests: an admin exports any user's library, receives the same archive, and
every such action is in the access log."""

import asyncio
import io
import json
import zipfile

import pytest

from tests.admin.test_admin_operations import make_admin
from tests.exports.archives import all_items, download, sha256, wait_for
from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


async def test_an_admin_exports_a_users_library_and_every_step_is_in_the_access_log(api: ApiClient, stack):
    owner = await api.register()
    manifest = corpus_manifest()
    for name in ("bach_chorale-bwv140-7.pdf", "schoenberg_op19-2.pdf"):
        score = await api.upload_score(owner, manifest[name].path.read_bytes(), title=name)
        await api.wait_for_score(owner, score["id"])
    admin = await make_admin(api, stack, await api.register())

    forbidden = await api.http.post("/admin/exports", headers=owner.headers, json={"user_id": owner.id})
    assert forbidden.status_code == 403

    started = await api.http.post("/admin/exports", headers=admin.headers, json={"user_id": owner.id})
    assert started.status_code == 202, started.text
    assert started.json()["requested_by"] == admin.id
    export = await wait_for(api, admin, f"/admin/exports/{started.json()['id']}", ("completed", "failed"))
    assert export["status"] == "completed", export
    listed = await api.http.get("/admin/exports", params={"user_id": owner.id}, headers=admin.headers)
    assert [e["id"] for e in listed.json()["items"]] == [export["id"]]

    # The same archive the user would get: their scores, their account, byte for byte.
    with zipfile.ZipFile(io.BytesIO(await download(export["download_url"]))) as zipped:
        library = json.loads(zipped.read("library.json"))
        scores = {s["id"]: s for s in await all_items(api, owner, "/scores")}
        assert sorted(s["id"] for s in library["scores"]) == sorted(scores)
        for score in library["scores"]:
            assert sha256(zipped.read(score["file"])) == scores[score["id"]]["content_hash"]
        assert json.loads(zipped.read("account.json"))["profile"]["email"] == owner.email

    # Another user's export is not the user's to see, nor the admin's to find under another id.
    stranger = await api.register()
    assert (await api.http.get(f"/exports/{export['id']}", headers=stranger.headers)).status_code == 404

    for _ in range(100):
        logged = await api.http.get(
            "/admin/access-log", params={"user_id": admin.id, "page_size": 100}, headers=admin.headers
        )
        actions = {entry["action"] for entry in logged.json()["items"]}
        if {"admin:export.request", "admin:export.download", "admin:export.list"} <= actions:
            break
        await asyncio.sleep(0.1)
    assert {"admin:export.request", "admin:export.download", "admin:export.list"} <= actions
    # Each names the user whose data it was (`exports: <what>` in object_key).
    exported = [e for e in logged.json()["items"] if e["action"].startswith("admin:export.")]
    assert all(owner.id in (e["object_key"] or "") for e in exported), exported
