"""Conditional requests on the library's versioned resources (scores, setlists).

The entity tag is the resource's version, quoted (`"3"`), and strong: equal versions mean equal
stored data, byte for byte, except `thumbnail_url`, which is presigned afresh on every read. That
URL is a way to fetch the cover, not part of what the client edits or caches (the object it points
at changes only with a new version), so two representations of one version are equivalent for
every purpose conditional requests serve (RFC 9110 8.8.1 lets the server decide what changes a
strong validator).
"""

import re
from typing import Annotated, Any

from fastapi import Header, Request, Response, status

from scoremate_shared.errors import PreconditionFailed
from scoremate_shared.responses import FastJSONResponse

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Apply only if the resource still has one of these ETags (or `*`); 412 otherwise",
    ),
]
IfNoneMatchHeader = Annotated[
    str | None,
    Header(alias="If-None-Match", description="304 without a body when the ETag is still one of these"),
]

# The hot read (GET /scores/{id}) reads If-None-Match from the request itself: a declared header
# parameter costs FastAPI ~13 us of validation a request, several per cent of that read. This
# documents it all the same.
IF_NONE_MATCH_PARAMETER = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "304 without a body when the ETag is still one of these",
            "schema": {"type": "string"},
        }
    ]
}
_ETAG = {"ETag": {"description": 'The version, quoted (`"3"`)', "schema": {"type": "string"}}}
_LOCATION = {"Location": {"description": "The path of the created resource", "schema": {"type": "string"}}}
# `responses=` of the routes (OpenAPI): what a read, a write and a creation answer beside the body.
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG},
    304: {"description": "If-None-Match names the current ETag: no body", "headers": _ETAG},
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG},
    412: {"description": "If-Match names none of the current ETags: nothing changed"},
}
DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match names none of the current ETags: nothing changed"},
}
CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {201: {"headers": {**_ETAG, **_LOCATION}}}

# One entity tag of a list (RFC 9110 8.8.3): optional weakness marker and a quoted opaque tag.
_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def etag(version: int) -> str:
    return f'"{version}"'


def _entity_tags(header: str) -> list[tuple[bool, str]]:
    """(weak, tag) of each entity tag of a list; text that is no entity tag matches nothing."""
    return [(weak == "W/", tag) for weak, tag in _ENTITY_TAG.findall(header)]


def if_match_allows(header: str | None, version: int) -> bool:
    """If-Match compares strongly: a weak tag never matches. No header: no condition."""
    if header is None or header.strip() == "*":
        return True
    wanted = str(version)
    return any(not weak and tag == wanted for weak, tag in _entity_tags(header))


def if_none_match_hits(header: str | None, version: int) -> bool:
    """If-None-Match compares weakly: `W/"3"` stands for `"3"`."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    wanted = str(version)
    return any(tag == wanted for _, tag in _entity_tags(header))


def require_version(if_match: str | None, version: int, what: str) -> None:
    """The check of a write, made on the row it locked: two writers with one ETag, one wins."""
    if not if_match_allows(if_match, version):
        raise PreconditionFailed(
            f"The {what} changed since you read it (If-Match: {if_match[:100] if if_match else ''}); "
            "read it again and apply your change to the current version"
        )


class NotModified(Exception):
    """Not an error: how a read answers 304 (handled in main.py)."""

    def __init__(self, version: int) -> None:
        super().__init__(f"not modified since version {version}")
        self.version = version


def check_not_modified(if_none_match: str | None, version: int) -> None:
    if if_none_match_hits(if_none_match, version):
        raise NotModified(version)


async def not_modified_response(_: Request, exc: Exception) -> Response:
    """304: no body, the ETag again (RFC 9110 15.4.5)."""
    assert isinstance(exc, NotModified)
    return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(exc.version)})


def versioned(
    body: dict[str, Any], status_code: int = status.HTTP_200_OK, location: str | None = None
) -> Response:
    """A score's or setlist's JSON with its ETag (and where it lives, for a 201)."""
    headers = {"ETag": etag(body["version"])}
    if location is not None:
        headers["Location"] = location
    return FastJSONResponse(body, status_code, headers=headers)
