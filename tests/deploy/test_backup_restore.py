"""The restore drill of docs/OPERATIONS.md ("Back up and restore") on the native stack, with the
functions `python -m scoremate_stack backup|restore FOLDER` runs: back up, lose the database and
every object, restore, and the same user logs in and downloads the same bytes."""

import asyncio
import json
import subprocess
from pathlib import Path

import httpx
import pytest

from scoremate_stack import StackError
from scoremate_stack.backup import MANIFEST, backup, restore
from scoremate_stack.config import SERVICES
from scoremate_stack.infra import PG_BIN, postgres_dir
from tests.support import ApiClient, User, admin_storage, corpus_manifest, list_objects

pytestmark = pytest.mark.stack


async def _download(api: ApiClient, user: User, score_id: str) -> bytes:
    link = await api.http.get("/files/download-url", params={"score_id": score_id}, headers=user.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient(timeout=30) as raw:
        response = await raw.get(link.json()["url"])
    assert response.status_code == 200
    return response.content


def _psql(stack, sql: str) -> str:
    cfg = stack.cfg
    result = subprocess.run(
        [
            str(PG_BIN / "psql"),
            "-h",
            str(postgres_dir(cfg) / "run"),
            "-p",
            str(cfg.ports.postgres),
            "-U",
            "postgres",
            "-d",
            "scoremate",
            "-v",
            "ON_ERROR_STOP=1",
            "-tAc",
            sql,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


async def _delete_every_object(stack) -> int:
    cfg = stack.cfg
    async with admin_storage(stack) as s3:
        deleted = 0
        async for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cfg.s3_bucket):
            for item in page.get("Contents", []):
                await s3.delete_object(Bucket=cfg.s3_bucket, Key=item["Key"])
                deleted += 1
    return deleted


async def test_dump_wipe_restore_and_the_same_user_downloads_the_same_bytes(
    api: ApiClient, stack, tmp_path: Path
):
    user = await api.register()
    pdf = corpus_manifest()["corelli_trio-sonata-op3-1-grave.pdf"]
    data = pdf.path.read_bytes()
    score = await api.upload_score(user, data, title="Grave")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    assert await _download(api, user, score["id"]) == data
    keys = await list_objects(stack, f"{user.id}/")
    assert any(key.endswith("original.pdf") for key in keys)

    folder = tmp_path / "backup"
    summary = await asyncio.to_thread(backup, stack, folder)
    assert set(SERVICES) <= set(summary.schemas)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert set(keys) <= {entry["key"] for entry in manifest["objects"]}

    # The disaster: every service schema dropped, every object deleted.
    schemas = ", ".join(SERVICES)
    await asyncio.to_thread(_psql, stack, f"DROP SCHEMA {schemas} CASCADE")
    assert await _delete_every_object(stack) >= len(keys)
    assert await list_objects(stack, f"{user.id}/") == []
    lost = await api.http.post("/auth/login", json={"email": user.email, "password": user.password})
    assert lost.status_code != 200

    await asyncio.to_thread(restore, stack, folder)

    assert sorted(await list_objects(stack, f"{user.id}/")) == sorted(keys)
    tokens = await api.login(user.email, user.password)
    again = User(user.id, user.email, user.password, tokens["access_token"], tokens["refresh_token"])
    restored = (await api.http.get(f"/scores/{score['id']}", headers=again.headers)).json()
    assert restored["status"] == "ready"
    assert restored["title"] == "Grave"
    assert await _download(api, again, score["id"]) == data
    # The pipeline runs on after the restore: a new upload goes through.
    other = corpus_manifest()["bach_chorale-bwv1-6.pdf"].path.read_bytes()
    after = await api.upload_score(again, other, title="After the restore")
    assert (await api.wait_for_score(again, after["id"], timeout=60))["status"] == "ready"


async def test_a_damaged_backup_is_refused_before_anything_changes(api: ApiClient, stack, tmp_path: Path):
    user = await api.register()
    data = corpus_manifest()["bach_chorale-bwv1-6.pdf"].path.read_bytes()
    score = await api.upload_score(user, data, title="Kept")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    folder = tmp_path / "backup"
    await asyncio.to_thread(backup, stack, folder)
    original = next((folder / "objects").rglob("original.pdf"))
    original.write_bytes(original.read_bytes()[:-1] + b"X")
    pids = {name: stack.processes.pid(name) for name in SERVICES}

    with pytest.raises(StackError, match="damaged"):
        await asyncio.to_thread(restore, stack, folder)
    assert {name: stack.processes.pid(name) for name in SERVICES} == pids  # nothing was stopped
    assert await _download(api, user, score["id"]) == data
