"""List endpoints' shape: `page` (1-based), `page_size` (default 20, at most 100), the page, and
`paginate`, which makes one from a select."""

from typing import Annotated, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

PageQuery = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")]
PageSizeQuery = Annotated[int, Query(ge=1, le=100, description="Items per page, at most 100")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int


async def paginate(session: AsyncSession, statement: Select[tuple[T]], page: int, page_size: int) -> Page[T]:
    """One page of `statement`'s rows (it sets the order) and the exact count of all of them."""
    total = await session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    rows = await session.scalars(statement.offset((page - 1) * page_size).limit(page_size))
    return Page(items=list(rows), page=page, page_size=page_size, total=total or 0)
