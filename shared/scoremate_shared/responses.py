"""A JSON response encoded by orjson, for routes that build their body as plain data.

FastAPI validates and re-serialises a returned model through its `response_model`; a hot read
that already holds exactly the documented fields returns this instead and skips that work (the
route still declares `response_model`, so the OpenAPI document is unchanged).
"""

import uuid
from typing import Any

import orjson
from starlette.responses import Response

# UTC datetimes end in "Z", as pydantic writes them; UUIDs and dataclasses are native to orjson.
_OPTIONS = orjson.OPT_UTC_Z


def _default(value: Any) -> Any:
    # asyncpg returns its own UUID subclass, which orjson does not take as a UUID.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class FastJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default, option=_OPTIONS)
