"""Setlist decisions: the caller's lists, their whole-order replacement, scores leaving them."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_library.models import Score, Setlist, SetlistItem
from scoremate_library.preconditions import check_not_modified, require_version
from scoremate_library.setlists.schemas import (
    SetlistCreate,
    SetlistItemOut,
    SetlistItemsIn,
    SetlistOut,
    SetlistPatch,
)
from scoremate_shared.auth import Principal
from scoremate_shared.errors import InvalidInput, NotFound
from scoremate_shared.events import SetlistChangedV1, SetlistDeletedV1, SetlistSnapshot
from scoremate_shared.messaging.outbox import add_event
from scoremate_shared.pagination import Page, paginate

PRODUCER = "library"
# What a setlist's snapshot is read from when SQL (not the ORM) moved its version on.
_SETLIST_RETURNING = (
    Setlist.id,
    Setlist.user_id,
    Setlist.title,
    Setlist.description,
    Setlist.version,
    Setlist.created_at,
    Setlist.updated_at,
)


class SetlistNotFound(NotFound):
    slug, title = "setlist-not-found", "Setlist not found"


class SetlistService:
    async def _own(
        self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID, lock: bool = False
    ) -> Setlist:
        """The caller's setlist; locked for a change, so an If-Match compared with its version
        holds until the commit."""
        setlist = await session.get(Setlist, setlist_id, with_for_update=lock)
        if setlist is None or setlist.user_id != user.user_id:
            raise SetlistNotFound("No such setlist")
        return setlist

    async def _out(self, session: AsyncSession, setlist: Setlist) -> SetlistOut:
        return (await self._out_many(session, [setlist]))[0]

    async def _items(
        self, session: AsyncSession, setlist_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[SetlistItemOut]]:
        rows = (
            await session.execute(
                sa.select(SetlistItem.setlist_id, SetlistItem.position, SetlistItem.score_id, Score.title)
                .join(Score, Score.id == SetlistItem.score_id)
                .where(SetlistItem.setlist_id.in_(setlist_ids))
                .order_by(SetlistItem.setlist_id, SetlistItem.position)
            )
        ).all()
        items: dict[uuid.UUID, list[SetlistItemOut]] = {setlist_id: [] for setlist_id in setlist_ids}
        for setlist_id, position, score_id, title in rows:
            items[setlist_id].append(SetlistItemOut(score_id=score_id, order_index=position, title=title))
        return items

    async def _out_many(self, session: AsyncSession, setlists: list[Setlist]) -> list[SetlistOut]:
        items = await self._items(session, [s.id for s in setlists])
        return [_setlist_out(s, items[s.id]) for s in setlists]

    async def _publish(self, session: AsyncSession, user_id: uuid.UUID, setlist: SetlistOut) -> None:
        """SetlistChanged with the setlist as the caller now sees it (built from what is in hand)."""
        snapshot = SetlistSnapshot.model_validate(setlist.model_dump(exclude={"version"}))
        await add_event(
            session,
            SetlistChangedV1(
                setlist_id=setlist.id, user_id=user_id, version=setlist.version, setlist=snapshot
            ),
            PRODUCER,
        )

    async def publish_snapshots(self, session: AsyncSession, setlists: list[Setlist]) -> None:
        """SetlistChanged for each setlist as it stands (the sync backfill)."""
        owners = {setlist.id: setlist.user_id for setlist in setlists}
        for setlist in await self._out_many(session, setlists):
            await self._publish(session, owners[setlist.id], setlist)

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
        return await self.add_setlist(session, user.user_id, body.title, body.description, [])

    async def add_setlist(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        title: str,
        description: str | None,
        score_ids: Sequence[uuid.UUID],
    ) -> SetlistOut:
        """A new setlist of the user's with these scores in this order (repeats kept; the caller
        knows they are the user's), and its SetlistChanged."""
        setlist = Setlist(id=uuid.uuid4(), user_id=user_id, title=title, description=description)
        session.add(setlist)
        await session.flush()
        session.add_all(
            SetlistItem(setlist_id=setlist.id, position=index, score_id=score_id)
            for index, score_id in enumerate(score_ids)
        )
        await session.flush()
        await session.refresh(setlist)
        out = await self._out(session, setlist) if score_ids else _setlist_out(setlist, [])
        await self._publish(session, user_id, out)
        return out

    async def orders(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> set[tuple[str, tuple[uuid.UUID, ...]]]:
        """Each of the user's setlists as (title, its score ids in order): what an import compares with."""
        setlists = (
            await session.execute(sa.select(Setlist.id, Setlist.title).where(Setlist.user_id == user_id))
        ).all()
        items: dict[uuid.UUID, list[uuid.UUID]] = {setlist_id: [] for setlist_id, _ in setlists}
        rows = await session.execute(
            sa.select(SetlistItem.setlist_id, SetlistItem.score_id)
            .join(Setlist, Setlist.id == SetlistItem.setlist_id)
            .where(Setlist.user_id == user_id)
            .order_by(SetlistItem.setlist_id, SetlistItem.position)
        )
        for setlist_id, score_id in rows.all():
            items[setlist_id].append(score_id)
        return {(title, tuple(items[setlist_id])) for setlist_id, title in setlists}

    async def get(
        self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID, if_none_match: str | None = None
    ) -> SetlistOut:
        setlist = await self._own(session, user, setlist_id)
        check_not_modified(if_none_match, setlist.version)
        return await self._out(session, setlist)

    async def patch(
        self,
        session: AsyncSession,
        user: Principal,
        setlist_id: uuid.UUID,
        body: SetlistPatch,
        if_match: str | None = None,
    ) -> SetlistOut:
        setlist = await self._own(session, user, setlist_id, lock=True)
        require_version(if_match, setlist.version, "setlist")
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
        out = await self._out(session, setlist)
        if changes:
            await self._publish(session, user.user_id, out)
        return out

    async def replace_items(
        self,
        session: AsyncSession,
        user: Principal,
        setlist_id: uuid.UUID,
        body: SetlistItemsIn,
        if_match: str | None = None,
    ) -> SetlistOut:
        setlist = await self._own(session, user, setlist_id, lock=True)
        require_version(if_match, setlist.version, "setlist")
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
        out = await self._out(session, setlist)
        await self._publish(session, user.user_id, out)
        return out

    async def delete(
        self, session: AsyncSession, user: Principal, setlist_id: uuid.UUID, if_match: str | None = None
    ) -> None:
        setlist = await self._own(session, user, setlist_id, lock=True)
        require_version(if_match, setlist.version, "setlist")
        await session.delete(setlist)
        await add_event(
            session,
            SetlistDeletedV1(setlist_id=setlist.id, user_id=setlist.user_id, version=setlist.version),
            PRODUCER,
        )
        await session.flush()

    async def _bumped(self, session: AsyncSession, setlist_ids: Sequence[uuid.UUID]) -> None:
        """Move the versions of setlists whose items changed under them (a score renamed or gone)
        on, and publish each as it now stands."""
        if not setlist_ids:
            return
        rows = (
            await session.execute(
                sa.update(Setlist)
                .where(Setlist.id.in_(setlist_ids))
                .values(version=Setlist.version + 1, updated_at=datetime.now(UTC))
                .returning(*_SETLIST_RETURNING)
                .execution_options(synchronize_session=False)
            )
        ).all()
        items = await self._items(session, [row.id for row in rows])
        for row in rows:
            await self._publish(session, row.user_id, _setlist_out(row, items[row.id]))

    async def score_renamed(self, session: AsyncSession, score_id: uuid.UUID) -> None:
        """The setlists holding a renamed score show its new title: each is a new version."""
        holding = (
            await session.scalars(
                sa.select(SetlistItem.setlist_id).where(SetlistItem.score_id == score_id).distinct()
            )
        ).all()
        await self._bumped(session, list(holding))

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
        if affected:
            await session.flush()  # the items as they now are, for the snapshots
        await self._bumped(session, affected)

    async def erase_user(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(sa.delete(Setlist).where(Setlist.user_id == user_id))


def _setlist_out(setlist: Any, items: list[SetlistItemOut]) -> SetlistOut:
    """A Setlist of the API from a loaded setlist or a returned row (the same attribute names)."""
    return SetlistOut(
        id=setlist.id,
        title=setlist.title,
        description=setlist.description,
        items=items,
        version=setlist.version,
        created_at=setlist.created_at,
        updated_at=setlist.updated_at,
    )
