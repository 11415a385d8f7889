"""Request and response bodies of the setlists API."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

VERSION_DESCRIPTION = "Grows with every change a client can see; the ETag is this number in quotes"

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]


class SetlistCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "Friday recital", "description": "St. Mary's, 7 pm"}]}
    )

    title: Title
    description: Description | None = None


class SetlistPatch(BaseModel):
    """Only the fields sent change; null clears the description."""

    title: Title | None = None
    description: Description | None = None


class SetlistItemsIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "score_ids": [
                        "0b7d6f1e-5a0c-4d8e-9a51-6f3c2e1d4b7a",
                        "5c1e9b2a-7d3f-4e6a-8b0c-1a2d3e4f5a6b",
                    ]
                }
            ]
        }
    )

    score_ids: list[uuid.UUID] = Field(max_length=1000, description="The whole new order; repeats allowed")


class SetlistItemOut(BaseModel):
    score_id: uuid.UUID
    order_index: int
    title: str


class SetlistOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    items: list[SetlistItemOut]
    version: int = Field(description=VERSION_DESCRIPTION)
    created_at: datetime
    updated_at: datetime
