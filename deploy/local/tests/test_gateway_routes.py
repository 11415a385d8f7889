"""Every path of every service's OpenAPI document, its docs and its dead letters reach that service
through the gateway: the locations of the rendered configuration, chosen by nginx's rules."""

import re
from pathlib import Path

import pytest

from scoremate_stack.config import SERVICES, StackConfig
from scoremate_stack.gateway import render_gateway_config
from scoremate_stack.openapi import service_openapi

_LOCATION = re.compile(r"^\s*location\s+(=|\^~)?\s*([^\s{]+)\s*\{", re.MULTILINE)


def _locations(config: str) -> list[tuple[str, str, str]]:
    """(modifier, path, body) of every location of the configuration, named ones aside."""
    found = []
    for match in _LOCATION.finditer(config):
        modifier, path = match.group(1) or "", match.group(2)
        if path.startswith("@"):
            continue
        assert modifier in ("", "=", "^~"), f"a regex location, teach this test: {path}"
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(config[end], 0)
            end += 1
        found.append((modifier, path, config[match.end() : end - 1]))
    return found


def upstream_of(config: str, uri: str) -> str | None:
    """The upstream a request for `uri` is passed to: the exact location, else the longest prefix."""
    locations = _locations(config)
    exact = [body for modifier, path, body in locations if modifier == "=" and path == uri]
    prefixes = sorted(
        ((path, body) for modifier, path, body in locations if modifier != "=" and uri.startswith(path)),
        key=lambda item: len(item[0]),
    )
    body = exact[0] if exact else prefixes[-1][1] if prefixes else ""
    passed = re.search(r"proxy_pass http://([a-z]+)", body)
    return passed.group(1) if passed else None


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> str:
    return render_gateway_config(StackConfig.for_tests(Path(tmp_path_factory.mktemp("gateway"))))


@pytest.mark.parametrize("service", SERVICES)
def test_every_path_of_a_service_reaches_that_service(config: str, service: str) -> None:
    # The process probes (tag "operations") answer on the service's own port only.
    paths = [
        re.sub(r"\{[^}]+\}", "x", path)
        for path, item in service_openapi(service)["paths"].items()
        if any("operations" not in operation.get("tags", []) for operation in item.values())
    ]
    paths += [
        f"/docs/{service}/openapi.json",
        f"/docs/{service}/asyncapi.json",
        f"/admin/dead-letters/{service}",
    ]
    assert {path: upstream_of(config, path) for path in paths} == dict.fromkeys(paths, service)


def test_the_route_resolution_follows_nginx(config: str) -> None:
    assert upstream_of(config, "/sync/stream") == "sync"
    assert upstream_of(config, "/admin/exports/x") == "exports"
    assert upstream_of(config, "/admin/") is None  # the console's page, served from disk
    assert upstream_of(config, "/nowhere") is None  # the problem+json 404
