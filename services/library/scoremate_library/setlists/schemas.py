"""Request and response bodies of the setlists API."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

VERSION_DESCRIPTION = "Grows with every change a client can see; the ETag is this number in quotes"

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]


class SetlistCreate(BaseModel):
    title: Title
    description: Description | None = None


class SetlistPatch(BaseModel):
    """Only the fields sent change; null clears the description."""

    title: Title | None = None
    description: Description | None = None


class SetlistItemsIn(BaseModel):
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
