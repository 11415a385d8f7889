"""Issue 14, safe retries through the gateway: a creating POST repeated with its Idempotency-Key
does its work once and answers the first response again; with another body, 422."""

import asyncio
import uuid

import pytest

from tests.conftest import TEST_REFRESH_THUMBNAILS_PER_HOUR
from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack

ONE_PAGE = "bach_chorale-bwv244-10.pdf"


async def test_a_repeated_key_creates_one_setlist_and_returns_the_same_body(api: ApiClient):
    user = await api.register()
    keyed = {**user.headers, "Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Friday gig", "description": "Jazz club"}
    first = await api.http.post("/setlists", headers=keyed, json=body)
    # A client that lost the answer retries, even several at once.
    retries = await asyncio.gather(*(api.http.post("/setlists", headers=keyed, json=body) for _ in range(3)))
    assert first.status_code == 201, first.text
    for retry in retries:
        if retry.status_code == 409:  # arrived while the first was still being written: retry later
            assert retry.json()["type"].endswith("/idempotency-key-in-use")
            continue
        assert retry.status_code == 201, retry.text
        assert retry.content == first.content
        assert retry.headers["etag"] == first.headers["etag"]
        assert retry.headers["location"] == first.headers["location"]
        assert retry.headers["idempotent-replayed"] == "true"
    listing = (await api.http.get("/setlists", headers=user.headers)).json()
    assert listing["total"] == 1
    assert listing["items"][0]["id"] == first.json()["id"]

    reused = await api.http.post("/setlists", headers=keyed, json={"title": "Saturday gig"})
    assert reused.status_code == 422
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert reused.json()["type"].endswith("/idempotency-key-reused")
    assert (await api.http.get("/setlists", headers=user.headers)).json()["total"] == 1
    # A new key is a new request.
    other = {**user.headers, "Idempotency-Key": str(uuid.uuid4())}
    assert (await api.http.post("/setlists", headers=other, json=body)).status_code == 201
    assert (await api.http.get("/setlists", headers=user.headers)).json()["total"] == 2


async def test_a_retried_score_creation_answers_the_score_not_token_used(api: ApiClient):
    user = await api.register()
    data = corpus_manifest()[ONE_PAGE].path.read_bytes()
    upload = (await api.request_upload(user, data)).json()
    assert (await api.put_object(upload, data)).status_code == 200
    keyed = {**user.headers, "Idempotency-Key": "create-score-1"}
    body = {"upload_token": upload["upload_token"], "title": "Chorale"}
    first = await api.http.post("/scores", headers=keyed, json=body)
    again = await api.http.post("/scores", headers=keyed, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    # Without the key, the same request is the contract's 409.
    assert (await api.http.post("/scores", headers=user.headers, json=body)).status_code == 409
    assert (await api.http.get("/scores", headers=user.headers)).json()["total"] == 1


async def test_billing_and_processor_posts_take_a_key_too(api: ApiClient):
    user = await api.register()
    keyed = {**user.headers, "Idempotency-Key": "upgrade-1"}
    # One receipt buys one plan once: without the key, a retry would be refused.
    body = {"plan": "pro", "receipt": f"sandbox:pro:order-7-{user.id}"}
    upgraded = [await api.http.post("/billing/plan", headers=keyed, json=body) for _ in range(2)]
    assert [u.status_code for u in upgraded] == [200, 200]
    assert upgraded[1].content == upgraded[0].content
    assert upgraded[1].headers["idempotent-replayed"] == "true"
    history = (await api.http.get("/billing/history", headers=user.headers)).json()
    assert sorted(entry["kind"] for entry in history["items"]) == ["payment", "plan_change"]

    score = await api.upload_score(user, corpus_manifest()[ONE_PAGE].path.read_bytes(), "Chorale")
    assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    refresh = {**user.headers, "Idempotency-Key": "refresh-1"}
    # A replay is not another refresh: it does not count against the hourly limit.
    for _ in range(TEST_REFRESH_THUMBNAILS_PER_HOUR + 2):
        accepted = await api.http.post(
            "/tasks/refresh-thumbnails", params={"score_id": score["id"]}, headers=refresh
        )
        assert accepted.status_code == 202, accepted.text
    for _ in range(TEST_REFRESH_THUMBNAILS_PER_HOUR - 1):
        fresh = await api.http.post(
            "/tasks/refresh-thumbnails", params={"score_id": score["id"]}, headers=user.headers
        )
        assert fresh.status_code == 202, fresh.text
    limited = await api.http.post(
        "/tasks/refresh-thumbnails", params={"score_id": score["id"]}, headers=user.headers
    )
    assert limited.status_code == 429
    # The same key for another score is another request: 422, nothing requested.
    reused = await api.http.post(
        "/tasks/refresh-thumbnails", params={"score_id": str(uuid.uuid4())}, headers=refresh
    )
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("/idempotency-key-reused")


async def test_a_malformed_key_is_a_422_problem(api: ApiClient):
    user = await api.register()
    response = await api.http.post(
        "/setlists", headers={**user.headers, "Idempotency-Key": "x" * 256}, json={"title": "Gig"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_a_retried_upload_url_reserves_once_and_answers_the_same_upload(api: ApiClient):
    user = await api.register()
    data = corpus_manifest()[ONE_PAGE].path.read_bytes()
    keyed = {**user.headers, "Idempotency-Key": "upload-url-1"}
    first = await api.request_upload(user, data, headers=keyed)
    again = await api.request_upload(user, data, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["score_id"] == first.json()["score_id"]
    assert again.headers["idempotent-replayed"] == "true"
    # Without the key the same file is a second reservation (not a duplicate: no score has it yet),
    # so the key is what kept the first retry from reserving the bytes twice.
    fresh = await api.request_upload(user, data)
    assert fresh.status_code == 201
    assert fresh.json()["score_id"] != first.json()["score_id"]
