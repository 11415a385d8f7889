"""Delta sync through the gateway (GET /sync): two devices of one user converge after edits,
deletions and an upload on either; nobody sees another user's changes; bad cursors are problems."""

import asyncio
import time
from typing import Any

import pytest

from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack

SMALL_PDF = "bach_chorale-bwv227-1.pdf"


class Device:
    """A client's local copy, kept only from GET /sync: what a phone or a TV would store."""

    def __init__(self, api: ApiClient, user: User) -> None:
        self.api = api
        self.user = user
        self.cursor: str | None = None
        self.entities: dict[tuple[str, str], dict[str, Any]] = {}

    async def sync(self) -> list[dict[str, Any]]:
        """Every change since the last sync, applied in order; the changes it got."""
        got: list[dict[str, Any]] = []
        while True:
            params: dict[str, Any] = {"limit": 2}  # small pages: the paging is exercised too
            if self.cursor is not None:
                params["cursor"] = self.cursor
            response = await self.api.http.get("/sync", params=params, headers=self.user.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            for change in page["changes"]:
                key = (change["kind"], change["id"])
                if change["op"] == "delete":
                    self.entities.pop(key, None)
                else:
                    self.entities[key] = change["data"]
            got += page["changes"]
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return got

    async def sync_until(self, check: Any, timeout: float = 30) -> None:
        """Sync until `check(self)` holds: the events travel the bus, a moment after the call."""
        deadline = time.monotonic() + timeout
        while True:
            await self.sync()
            if check(self):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not converged after {timeout}s: {self.entities}")
            await asyncio.sleep(0.1)

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return {entity_id: data for (k, entity_id), data in self.entities.items() if k == kind}


def assert_agree(synced: dict[str, dict[str, Any]], server: dict[str, dict[str, Any]]) -> None:
    """The device holds what the server answers, field by field (but the signed cover URL, which
    differs with each answer)."""
    assert set(synced) == set(server)
    for entity_id, data in synced.items():
        for field, value in data.items():
            if field != "thumbnail_url":
                assert value == server[entity_id][field], (entity_id, field)


async def server_truth(api: ApiClient, user: User) -> tuple[dict[str, Any], dict[str, Any]]:
    scores = (await api.http.get("/scores", params={"page_size": 100}, headers=user.headers)).json()["items"]
    setlists = (await api.http.get("/setlists", params={"page_size": 100}, headers=user.headers)).json()[
        "items"
    ]
    return {s["id"]: s for s in scores}, {s["id"]: s for s in setlists}


async def test_two_devices_of_one_user_converge_after_edits_deletions_and_an_upload(api: ApiClient):
    user = await api.register()
    phone, tablet = Device(api, user), Device(api, user)
    assert await phone.sync() == []
    assert await tablet.sync() == []

    # On the phone: an upload, and a setlist holding it.
    data = corpus_manifest()[SMALL_PDF].path.read_bytes()
    score = await api.upload_score(user, data, title="Jesu, meine Freude")
    await api.wait_for_score(user, score["id"])
    setlist = (await api.http.post("/setlists", json={"title": "Sunday"}, headers=user.headers)).json()
    added = await api.http.post(
        f"/setlists/{setlist['id']}/items", json={"score_ids": [score["id"]]}, headers=user.headers
    )
    assert added.status_code == 200, added.text
    doomed = (await api.http.post("/setlists", json={"title": "Rehearsal"}, headers=user.headers)).json()

    def has_everything(device: Device) -> bool:
        scores, setlists = device.of("score"), device.of("setlist")
        return (
            scores.get(score["id"], {}).get("status") == "ready"
            and len(setlists.get(setlist["id"], {}).get("items", [])) == 1
            and doomed["id"] in setlists
            and device.of("thumbnails").get(score["id"], {}).get("done") is True
        )

    await tablet.sync_until(has_everything)
    ready = tablet.of("score")[score["id"]]
    assert ready["thumbnail_url"]
    assert "cover_key" not in ready

    # On the tablet: an edit and a deletion; the phone sees both.
    edited = await api.http.patch(
        f"/scores/{score['id']}", json={"composer": "J. S. Bach"}, headers=user.headers
    )
    assert edited.status_code == 200, edited.text
    deleted = await api.http.delete(f"/setlists/{doomed['id']}", headers=user.headers)
    assert deleted.status_code == 204
    await phone.sync_until(
        lambda d: (
            d.of("score").get(score["id"], {}).get("composer") == "J. S. Bach"
            and doomed["id"] not in d.of("setlist")
        )
    )
    await tablet.sync_until(lambda d: doomed["id"] not in d.of("setlist"))

    # Both hold exactly what the library holds.
    scores, setlists = await server_truth(api, user)
    for device in (phone, tablet):
        assert_agree(device.of("score"), scores)
        assert_agree(device.of("setlist"), setlists)

    # A deleted score leaves with its page images, and a device that never saw it gets nothing.
    assert (await api.http.delete(f"/scores/{score['id']}", headers=user.headers)).status_code == 204
    await phone.sync_until(lambda d: not d.of("score") and not d.of("thumbnails"))
    fresh = Device(api, user)
    await fresh.sync_until(lambda d: not d.of("score"))
    assert [kind for kind, _ in fresh.entities] == ["setlist"]


async def test_another_users_changes_never_appear_and_their_cursor_is_refused(api: ApiClient):
    me, someone = await api.register(), await api.register()
    theirs = Device(api, someone)
    await api.http.post("/setlists", json={"title": "Not yours"}, headers=someone.headers)
    await theirs.sync_until(lambda d: bool(d.of("setlist")))
    mine = Device(api, me)
    await asyncio.sleep(0.5)
    assert await mine.sync() == []

    response = await api.http.get("/sync", params={"cursor": theirs.cursor}, headers=me.headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/invalid-cursor")


async def test_bad_cursors_and_limits_are_problems_and_a_token_is_needed(api: ApiClient):
    user = await api.register()
    forged = await api.http.get("/sync", params={"cursor": "A" * 34}, headers=user.headers)
    assert forged.status_code == 400
    assert "without a cursor" in forged.json()["detail"]
    for limit in (0, 501):
        response = await api.http.get("/sync", params={"limit": limit}, headers=user.headers)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await api.http.get("/sync")).status_code == 401
