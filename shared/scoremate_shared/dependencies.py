"""The request's database dependencies: the unit of work of a writing route, the read pool of a
hot read. Routes take one of them; services flush, never commit."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_shared.db import Database


async def get_database(request: Request) -> Database:
    """For hot reads through the read pool (`Database.fetch`); writes take a SessionDep."""
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the route returns, rolled back when it raises."""
    db: Database = request.app.state.db
    async with db.transaction() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never reads a
# 2xx for a change that then failed to commit (the failure becomes the response instead).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
