"""List endpoints' shape: `page` (1-based), `page_size` (default 20, at most 100), and the page."""

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")

PageQuery = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")]
PageSizeQuery = Annotated[int, Query(ge=1, le=100, description="Items per page, at most 100")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int
