"""clients/python is what openapi-python-client makes of docs/openapi.json today (`make client`)."""

import filecmp
import subprocess
from pathlib import Path

from scoremate_stack.config import REPO_ROOT

CLIENT = REPO_ROOT / "clients" / "python"
GENERATOR = REPO_ROOT / "clients" / "generator"


def _files(root: Path) -> set[str]:
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not {"__pycache__", ".ruff_cache"} & set(path.parts)
    }


def test_the_committed_client_is_generated_from_the_committed_document(tmp_path: Path) -> None:
    fresh = tmp_path / "python"
    subprocess.run(
        [
            "uv", "run", "--frozen", "--project", str(GENERATOR),
            "openapi-python-client", "generate",
            "--path", str(REPO_ROOT / "docs" / "openapi.json"),
            "--output-path", str(fresh),
            "--config", str(GENERATOR / "config.yaml"),
            "--meta", "uv",
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )  # fmt: skip
    committed, generated = _files(CLIENT), _files(fresh)
    assert committed == generated, "clients/python is stale: make client"
    _, mismatch, errors = filecmp.cmpfiles(CLIENT, fresh, sorted(generated), shallow=False)
    assert not mismatch, f"clients/python is stale ({mismatch[:5]}): make client"
    assert not errors
