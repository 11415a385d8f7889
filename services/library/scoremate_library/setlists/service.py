"""Setlist decisions: the caller's lists, their whole-order replacement, scores leaving them."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import Score, Setlist, SetlistItem
from scoremate_library.setlists.schemas import (
    SetlistCreate,
    SetlistItemOut,
    SetlistItemsIn,
    SetlistOut,
    SetlistPatch,
)
from scoremate_shared.auth import Principal
from scoremate_shared.errors import InvalidInput, NotFound
from scoremate_shared.pagination import Page, paginate


class SetlistNotFound(NotFound):
    slug, title = "setlist-not-found", "Setlist not found"


class SetlistService:
    async def _own(
        self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID, lock: bool = False
    ) -> Setlist:
        setlist = await session.get(Setlist, setlist_id, with_for_update=lock)
        if setlist is None or setlist.user_id != user.user_id:
            raise SetlistNotFound("No such setlist")
        return setlist

    async def _out(self, session: AsyncSession, setlist: Setlist) -> SetlistOut:
        return (await self._out_many(session, [setlist]))[0]

    async def _out_many(self, session: AsyncSession, setlists: list[Setlist]) -> list[SetlistOut]:
        rows = (
            await session.execute(
                sa.select(SetlistItem.setlist_id, SetlistItem.position, SetlistItem.score_id, Score.title)
                .join(Score, Score.id == SetlistItem.score_id)
                .where(SetlistItem.setlist_id.in_([s.id for s in setlists]))
                .order_by(SetlistItem.setlist_id, SetlistItem.position)
            )
        ).all()
        items: dict[uuid.UUID, list[SetlistItemOut]] = {s.id: [] for s in setlists}
        for setlist_id, position, score_id, title in rows:
            items[setlist_id].append(SetlistItemOut(score_id=score_id, order_index=position, title=title))
        return [
            SetlistOut(
                id=s.id,
                title=s.title,
                description=s.description,
                items=items[s.id],
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
            for s in setlists
        ]

    async def list_setlists(
        self, session: AsyncSession, user: Principal, page: int, page_size: int
    ) -> Page[SetlistOut]:
        found = await paginate(
            session,
            sa.select(Setlist)
            .where(Setlist.user_id == user.user_id)
            .order_by(Setlist.created_at.desc(), Setlist.id),
            page,
            page_size,
        )
        items = await self._out_many(session, found.items) if found.items else []
        return Page(items=items, page=page, page_size=page_size, total=found.total)

    async def create(self, session: AsyncSession, user: Principal, body: SetlistCreate) -> SetlistOut:
        setlist = Setlist(
            id=uuid.uuid4(), user_id=user.user_id, title=body.title, description=body.description
        )
        session.add(setlist)
        await session.flush()
        await session.refresh(setlist)
        return SetlistOut(
            id=setlist.id,
            title=setlist.title,
            description=setlist.description,
            items=[],
            created_at=setlist.created_at,
            updated_at=setlist.updated_at,
        )

    async def get(self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID) -> SetlistOut:
        return await self._out(session, await self._own(session, user, setlist_id))

    async def patch(
        self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID, body: SetlistPatch
    ) -> SetlistOut:
        setlist = await self._own(session, user, setlist_id, lock=True)
        changes = body.model_dump(exclude_unset=True)
        if "title" in changes:
            if changes["title"] is None:
                raise InvalidInput("title cannot be cleared", field="title")
            setlist.title = changes["title"]
        if "description" in changes:
            setlist.description = changes["description"] or None
        if changes:
            setlist.updated_at = datetime.now(UTC)
        await session.flush()
        return await self._out(session, setlist)

    async def replace_items(
        self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID, body: SetlistItemsIn
    ) -> SetlistOut:
        setlist = await self._own(session, user, setlist_id, lock=True)
        wanted = set(body.score_ids)
        owned = set(
            (
                await session.scalars(
                    sa.select(Score.id).where(Score.id.in_(wanted), Score.user_id == user.user_id)
                )
            ).all()
        )
        foreign = [str(score_id) for score_id in body.score_ids if score_id not in owned]
        if foreign:
            # Another user's score is as unknown as a missing one: the same answer for both.
            raise InvalidInput(
                f"score_ids: not scores of yours: {', '.join(sorted(set(foreign)))}",
                field="score_ids",
                invalid_score_ids=sorted(set(foreign)),
            )
        await session.execute(sa.delete(SetlistItem).where(SetlistItem.setlist_id == setlist.id))
        session.add_all(
            SetlistItem(setlist_id=setlist.id, position=index, score_id=score_id)
            for index, score_id in enumerate(body.score_ids)
        )
        setlist.updated_at = datetime.now(UTC)
        await session.flush()
        return await self._out(session, setlist)

    async def delete(self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID) -> None:
        await session.delete(await self._own(session, user, setlist_id))
        await session.flush()

    async def remove_score(self, session: AsyncSession, score_id: uuid.UUID) -> None:
        """A deleted score leaves every setlist; the others close ranks (positions stay 0..n-1)."""
        affected = list(
            (
                await session.scalars(
                    sa.select(SetlistItem.setlist_id).where(SetlistItem.score_id == score_id).distinct()
                )
            ).all()
        )
        for setlist_id in affected:
            remaining = list(
                (
                    await session.scalars(
                        sa.select(SetlistItem.score_id)
                        .where(SetlistItem.setlist_id == setlist_id, SetlistItem.score_id != score_id)
                        .order_by(SetlistItem.position)
                    )
                ).all()
            )
            await session.execute(sa.delete(SetlistItem).where(SetlistItem.setlist_id == setlist_id))
            session.add_all(
                SetlistItem(setlist_id=setlist_id, position=index, score_id=sid)
                for index, sid in enumerate(remaining)
            )
            await session.execute(
                sa.update(Setlist).where(Setlist.id == setlist_id).values(updated_at=datetime.now(UTC))
            )

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(sa.delete(Setlist).where(Setlist.user_id == user_id))
