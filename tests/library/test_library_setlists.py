"""Setlists through the gateway: ordered items, repeats, ownership, a deleted score leaving them."""

import uuid

import pytest

from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack


async def _two_scores(api: ApiClient, user: User) -> tuple[dict, dict]:
    manifest = corpus_manifest()
    first = await api.upload_score(user, manifest["bach_chorale-bwv1-6.pdf"].path.read_bytes(), "Chorale")
    second = await api.upload_score(user, manifest["schoenberg_op19-6.pdf"].path.read_bytes(), "Op. 19/6")
    return first, second


async def test_setlist_lifecycle_with_repeats_and_reordering(api: ApiClient):
    user = await api.register()
    first, second = await _two_scores(api, user)
    created = await api.http.post(
        "/setlists", headers=user.headers, json={"title": " Friday gig ", "description": "Jazz club"}
    )
    assert created.status_code == 201
    setlist = created.json()
    assert (setlist["title"], setlist["description"], setlist["items"]) == ("Friday gig", "Jazz club", [])

    order = [second["id"], first["id"], second["id"]]
    filled = await api.http.post(
        f"/setlists/{setlist['id']}/items", headers=user.headers, json={"score_ids": order}
    )
    assert filled.status_code == 200
    items = filled.json()["items"]
    assert [i["score_id"] for i in items] == order
    assert [i["order_index"] for i in items] == [0, 1, 2]
    assert [i["title"] for i in items] == ["Op. 19/6", "Chorale", "Op. 19/6"]

    reordered = await api.http.post(
        f"/setlists/{setlist['id']}/items", headers=user.headers, json={"score_ids": [first["id"]]}
    )
    assert [i["score_id"] for i in reordered.json()["items"]] == [first["id"]]

    patched = await api.http.patch(
        f"/setlists/{setlist['id']}", headers=user.headers, json={"title": "Saturday"}
    )
    assert patched.json()["title"] == "Saturday"
    assert patched.json()["description"] == "Jazz club"
    listing = (await api.http.get("/setlists", headers=user.headers)).json()
    assert listing["total"] == 1
    assert listing["items"][0]["id"] == setlist["id"]
    assert (await api.http.delete(f"/setlists/{setlist['id']}", headers=user.headers)).status_code == 204
    assert (await api.http.get(f"/setlists/{setlist['id']}", headers=user.headers)).status_code == 404
    # The scores stay in the library.
    assert (await api.http.get(f"/scores/{first['id']}", headers=user.headers)).status_code == 200


async def test_a_deleted_score_leaves_every_setlist_and_the_rest_closes_ranks(api: ApiClient):
    user = await api.register()
    first, second = await _two_scores(api, user)
    ids = []
    for title in ("A", "B"):
        setlist = (await api.http.post("/setlists", headers=user.headers, json={"title": title})).json()
        await api.http.post(
            f"/setlists/{setlist['id']}/items",
            headers=user.headers,
            json={"score_ids": [first["id"], second["id"], first["id"]]},
        )
        ids.append(setlist["id"])
    assert (await api.http.delete(f"/scores/{first['id']}", headers=user.headers)).status_code == 204
    for setlist_id in ids:
        items = (await api.http.get(f"/setlists/{setlist_id}", headers=user.headers)).json()["items"]
        assert [(i["score_id"], i["order_index"]) for i in items] == [(second["id"], 0)]


async def test_another_users_scores_and_setlists_are_refused(api: ApiClient):
    owner, stranger = await api.register(), await api.register()
    first, _ = await _two_scores(api, owner)
    mine = (await api.http.post("/setlists", headers=stranger.headers, json={"title": "Mine"})).json()
    refused = await api.http.post(
        f"/setlists/{mine['id']}/items", headers=stranger.headers, json={"score_ids": [first["id"]]}
    )
    assert refused.status_code == 422
    assert first["id"] in refused.json()["detail"]
    unknown = await api.http.post(
        f"/setlists/{mine['id']}/items", headers=stranger.headers, json={"score_ids": [str(uuid.uuid4())]}
    )
    assert unknown.status_code == 422

    theirs = (await api.http.post("/setlists", headers=owner.headers, json={"title": "Owner's"})).json()
    path = f"/setlists/{theirs['id']}"
    calls: list[tuple[str, str, dict | None]] = [
        ("GET", path, None),
        ("PATCH", path, {"title": "x"}),
        ("POST", f"{path}/items", {"score_ids": []}),
        ("DELETE", path, None),
    ]
    for method, url, body in calls:
        response = await api.http.request(method, url, headers=stranger.headers, json=body)
        assert response.status_code == 404, (method, url)
    assert (await api.http.get(path, headers=owner.headers)).status_code == 200


async def test_setlist_validation(api: ApiClient):
    user = await api.register()
    assert (await api.http.post("/setlists", headers=user.headers, json={"title": ""})).status_code == 422
    assert (await api.http.post("/setlists", headers=user.headers, json={})).status_code == 422
    setlist = (await api.http.post("/setlists", headers=user.headers, json={"title": "T"})).json()
    bad_id = await api.http.post(
        f"/setlists/{setlist['id']}/items", headers=user.headers, json={"score_ids": ["x"]}
    )
    assert bad_id.status_code == 422
    assert (
        await api.http.patch(f"/setlists/{setlist['id']}", headers=user.headers, json={"title": None})
    ).status_code == 422
    assert (await api.http.get("/setlists/not-a-uuid", headers=user.headers)).status_code == 422
    assert (
        await api.http.get("/setlists", params={"page_size": 101}, headers=user.headers)
    ).status_code == 422
