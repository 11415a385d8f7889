"""The gateway's merged OpenAPI document (docs/openapi.json): current with the code, one id per
operation, every error a problem document."""

import json

import pytest

from scoremate_stack.openapi import MERGED_DOCUMENT, merge, render


@pytest.fixture(scope="module")
def rendered() -> str:
    return render()


def test_the_committed_document_is_current(rendered: str) -> None:
    assert MERGED_DOCUMENT.read_text() == rendered, (
        "docs/openapi.json is stale: uv run python -m scoremate_stack write-openapi"
    )


def test_the_merged_document_is_public_api_only_with_unique_ids(rendered: str) -> None:
    document = json.loads(rendered)
    assert "/healthz" not in document["paths"]  # process probes are not behind the gateway
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert {"scores.list", "scores.get", "setlists.create", "files.createUploadUrl", "auth.login"} <= set(ids)


def test_a_path_served_twice_or_a_schema_defined_twice_differently_is_refused() -> None:
    one = {
        "paths": {"/a": {"get": {"operationId": "a.get"}}},
        "components": {"schemas": {"S": {"type": "string"}}},
    }
    same_path = {"paths": {"/a": {"get": {"operationId": "b.get"}}}}
    other_schema = {"paths": {}, "components": {"schemas": {"S": {"type": "integer"}}}}
    with pytest.raises(ValueError, match="/a"):
        merge({"one": one, "two": same_path})
    with pytest.raises(ValueError, match="schema S"):
        merge({"one": one, "two": other_schema})
    assert merge({"one": one, "two": {"components": {"schemas": {"S": {"type": "string"}}}}})
