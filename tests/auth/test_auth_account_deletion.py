"""DELETE /auth/me erases the user everywhere: no row holding the id in any schema, no object."""

import asyncio
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from scoremate_stack.config import SERVICES
from tests.support import ApiClient, corpus_manifest, list_objects

pytestmark = pytest.mark.stack

SCHEMAS = SERVICES
# Messages in transit are not user data: outbox and inbox keep event ids and envelopes a while.
# Revocations keep the bare id of a deleted account for an hour, to refuse its tokens (no data);
# sync's feeds keep it marked erased (no data) so a late event recreates nothing of the account.
SKIPPED_TABLES = ("outbox", "inbox", "alembic_version", "revocations", "feeds")


async def _rows_holding(conn, user_id: str) -> dict[str, int]:
    columns = (
        await conn.execute(
            sa.text(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = ANY(:schemas) AND data_type = 'uuid' AND NOT table_name = ANY(:skipped)"
            ),
            {"schemas": list(SCHEMAS), "skipped": list(SKIPPED_TABLES)},
        )
    ).all()
    found = {}
    for schema, table, column in columns:
        count = await conn.scalar(
            sa.text(f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}" = CAST(:u AS uuid)'),  # noqa: S608
            {"u": user_id},
        )
        if count:
            found[f"{schema}.{table}.{column}"] = count
    return found


async def test_deleting_an_account_erases_every_row_and_object(api: ApiClient, stack):
    referrer = await api.register()
    user = await api.register()
    code = (await api.http.get("/auth/me", headers=referrer.headers)).json()["referral_code"]
    assert (
        await api.http.post("/billing/redeem-referral", headers=user.headers, json={"code": code})
    ).status_code == 200
    manifest = corpus_manifest()
    scores = [
        await api.upload_score(user, manifest[name].path.read_bytes(), name)
        for name in ("bach_chorale-bwv1-6.pdf", "schoenberg_op19-2.pdf")
    ]
    for score in scores:
        assert (await api.wait_for_score(user, score["id"]))["status"] == "ready"
    setlist = (await api.http.post("/setlists", headers=user.headers, json={"title": "Gig"})).json()
    await api.http.post(
        f"/setlists/{setlist['id']}/items",
        headers=user.headers,
        json={"score_ids": [s["id"] for s in scores]},
    )
    await api.http.get("/files/download-url", params={"score_id": scores[0]["id"]}, headers=user.headers)

    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.connect() as conn:
            before = await _rows_holding(conn, user.id)
        assert {
            "auth.users.id",
            "library.scores.user_id",
            "files.uploads.user_id",
            "billing.accounts.user_id",
        } <= set(before)
        assert await list_objects(stack, f"{user.id}/")

        deleted = await api.http.delete("/auth/me", headers=user.headers)
        assert deleted.status_code == 202
        deadline = time.monotonic() + 20
        while True:
            async with engine.connect() as conn:
                remaining = await _rows_holding(conn, user.id)
            objects = await list_objects(stack, f"{user.id}/")
            if (not remaining and not objects) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert remaining == {}
        assert objects == []
    finally:
        await engine.dispose()
    assert (await api.http.get("/auth/me", headers=user.headers)).status_code == 401
    # The referrer keeps their account; the redeemer never verified their address, so no bonus was
    # paid (a paid one would have been taken back: tests/security/test_referrals.py).
    assert (await api.http.get("/auth/me", headers=referrer.headers)).status_code == 200
    assert (await api.http.get("/billing/plan", headers=referrer.headers)).json()["bonus_mb"] == 0
