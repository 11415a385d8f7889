"""An export of a library larger than the exports service's memory limit: the archive streams
through, never whole in memory."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TEST_EXPORTS_MEMORY_LIMIT_BYTES
from tests.exports.archives import big_pdf, download_to, export_library, pro_user, upload_when_allowed
from tests.support import ApiClient

pytestmark = pytest.mark.stack

# Each file larger than half the limit: two of them pass it.
FILES = 2


def _data_limits(stack) -> list[int]:
    """The data-segment limit of each worker process of the exports service (uvicorn's children
    that serve the app; the master and multiprocessing's resource tracker serve nothing)."""
    master = int((stack.cfg.pid_dir / "exports.pid").read_text())
    limits = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        if b"spawn_main" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            continue
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max data size"):
                limits.append(int(line.split()[3]))
    return limits


async def test_an_export_larger_than_the_services_memory_limit_succeeds(api: ApiClient, stack, tmp_path):
    # The limit is real: every worker of the service runs under it.
    assert _data_limits(stack)
    assert set(_data_limits(stack)) == {TEST_EXPORTS_MEMORY_LIMIT_BYTES}
    size = TEST_EXPORTS_MEMORY_LIMIT_BYTES // FILES + 16 * 1024 * 1024
    user = await pro_user(api)
    hashes = {}
    for n in range(FILES):
        data = big_pdf(size, seed=n)
        score = await upload_when_allowed(api, user, data, title=f"Large {n}")
        hashes[score["id"]] = hashlib.sha256(data).hexdigest()
        del data
    for score_id in hashes:
        assert (await api.wait_for_score(user, score_id, timeout=180))["status"] == "ready"

    export = await export_library(api, user, timeout=300)
    assert export["status"] == "completed", export
    assert export["size_bytes"] > TEST_EXPORTS_MEMORY_LIMIT_BYTES
    path = tmp_path / "export.zip"
    await download_to(export["download_url"], path)
    assert path.stat().st_size == export["size_bytes"]
    with zipfile.ZipFile(path) as zipped:
        library = json.loads(zipped.read("library.json"))
        assert sorted(s["id"] for s in library["scores"]) == sorted(hashes)
        for score in library["scores"]:
            digest = hashlib.sha256()
            with zipped.open(score["file"]) as member:
                while chunk := member.read(1024 * 1024):
                    digest.update(chunk)
            assert digest.hexdigest() == hashes[score["id"]]
    assert _data_limits(stack)  # the service lived through it
