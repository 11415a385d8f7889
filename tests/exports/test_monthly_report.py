"""The monthly report counts what happened: the test's own actions move each figure by exactly
what they did (the stack is shared with other tests, so the report is read before and after)."""

import asyncio
import csv
import io
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.admin.test_admin_operations import make_admin
from tests.exports.archives import export_library
from tests.support import CORPUS, ApiClient, User, corpus_manifest, list_objects

pytestmark = pytest.mark.stack

FIGURES = (
    "signups",
    "referrals",
    "active_users",
    "uploads",
    "pages_processed",
    "plan_changes",
    "scores_deleted",
    "accounts_deleted",
)


async def _report(api: ApiClient, admin: User, month: str) -> dict[str, Any]:
    response = await api.http.get("/admin/reports/monthly", params={"month": month}, headers=admin.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _figures(report: dict[str, Any]) -> dict[str, int]:
    return {
        **{name: report[name] for name in FIGURES},
        "failures": report["failures"]["total"],
        "exports": report["exports"]["completed"],
        "storage_bytes_in_use": report["storage_bytes_in_use"],
    }


async def test_the_monthly_report_counts_exactly_what_the_test_did(api: ApiClient, stack):
    admin = await make_admin(api, stack, await api.register())
    month = datetime.now(UTC).strftime("%Y-%m")
    await asyncio.sleep(1)  # the admin's own sign-up is counted before the baseline
    before = _figures(await _report(api, admin, month))

    referrer = await api.register()
    me = (await api.http.get("/auth/me", headers=referrer.headers)).json()
    referred_email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    registered = await api.http.post(
        "/auth/register",
        json={
            "email": referred_email,
            "password": "correct horse battery",
            "referral_code": me["referral_code"],
        },
    )
    assert registered.status_code == 201, registered.text
    tokens = await api.login(referred_email, "correct horse battery")
    referred = User(
        registered.json()["id"], referred_email, "x", tokens["access_token"], tokens["refresh_token"]
    )

    manifest = corpus_manifest()
    uploaded = [manifest["bach_chorale-bwv1-6.pdf"], manifest["schoenberg_op19-2.pdf"]]
    scores = [await api.upload_score(referrer, f.path.read_bytes(), title=f.path.stem) for f in uploaded]
    for score in scores:
        assert (await api.wait_for_score(referrer, score["id"]))["status"] == "ready"
    # Not a PDF: files refuses it (a failure, and no upload counted).
    refused = await api.upload_score(
        referrer, (CORPUS / "bad" / "png-image-named.pdf").read_bytes(), "Picture"
    )
    assert (await api.wait_for_score(referrer, refused["id"]))["status"] == "failed"
    upgraded = await api.http.post(
        "/billing/plan",
        headers=referrer.headers,
        json={"plan": "pro", "receipt": f"sandbox:pro:order-{uuid.uuid4().hex[:8]}-{referrer.id}"},
    )
    assert upgraded.status_code == 200, upgraded.text
    assert (await export_library(api, referrer))["status"] == "completed"
    assert (await api.http.delete(f"/scores/{scores[1]['id']}", headers=referrer.headers)).status_code == 204
    assert (await api.http.delete("/auth/me", headers=referred.headers)).status_code == 202

    stored = uploaded[0].size_bytes  # what is left: one original and its images
    expected = {
        "signups": 2,
        "referrals": 1,
        "active_users": 1,  # the referrer; the referred user only signed up and left
        "uploads": 2,
        "pages_processed": sum(f.pages for f in uploaded),
        "plan_changes": 1,
        "exports": 1,
        "scores_deleted": 1,
        "accounts_deleted": 1,
        "failures": 1,
    }
    deadline = time.monotonic() + 30
    while True:
        after = _figures(await _report(api, admin, month))
        moved = {name: after[name] - before[name] for name in expected}
        usage = (await api.http.get("/billing/usage", headers=referrer.headers)).json()["used_bytes"]
        storage_moved = after["storage_bytes_in_use"] - before["storage_bytes_in_use"]
        if (moved == expected and storage_moved == usage) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.3)
    assert moved == expected
    assert usage >= stored
    assert storage_moved == usage

    # The same report as CSV: one row per figure, the same values.
    as_csv = await api.http.get(
        "/admin/reports/monthly", params={"month": month}, headers={**admin.headers, "Accept": "text/csv"}
    )
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = {(r["metric"], r["detail"]): r["value"] for r in csv.DictReader(io.StringIO(as_csv.text))}
    assert rows[("month", "")] == month
    report = await _report(api, admin, month)
    for name in FIGURES:
        assert int(rows[(name, "")]) == report[name], name
    assert int(rows[("exports", "completed")]) == report["exports"]["completed"]

    bad = await api.http.get("/admin/reports/monthly", params={"month": "2026-13"}, headers=admin.headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    user_call = await api.http.get(
        "/admin/reports/monthly", params={"month": month}, headers=referrer.headers
    )
    assert user_call.status_code == 403


async def test_last_months_report_is_written_to_storage_by_the_scheduled_job(stack):
    now = datetime.now(UTC)
    last = f"{now.year - 1}-12" if now.month == 1 else f"{now.year}-{now.month - 1:02d}"
    deadline = time.monotonic() + 30
    while set(await list_objects(stack, f"reports/monthly/{last}")) != {
        f"reports/monthly/{last}.json",
        f"reports/monthly/{last}.csv",
    }:
        assert time.monotonic() < deadline, await list_objects(stack, "reports/")
        await asyncio.sleep(0.5)
    from tests.support import admin_storage

    async with admin_storage(stack) as s3:
        body = await (await s3.get_object(Bucket=stack.cfg.s3_bucket, Key=f"reports/monthly/{last}.json"))[
            "Body"
        ].read()
    assert json.loads(body)["month"] == last
