"""Issue 15 in Chromium. A musician exports their library from the account page (progress read
every second, the archive downloaded, its link renewed once it has expired), imports it back
(every duplicate skipped and listed), sees a hostile archive refused with the API's problem, and
imports it into a fresh account. An operator answers a data-subject request from the Users table
and reads the monthly report as a table and as CSV."""

import asyncio
import json
import re
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.admin.test_admin_operations import make_admin
from tests.browser.conftest import PHONE, Journey
from tests.browser.test_user_journey import nav
from tests.exports.archives import zip_of
from tests.support import ApiClient, User, corpus_manifest

pytestmark = pytest.mark.stack

PIECES = ("bach_chorale-bwv1-6.pdf", "bach_chorale-bwv244-10.pdf")
# A build of a couple of small scores takes seconds; the stack's first one may start cold.
ARCHIVE_TIMEOUT_MS = 90_000


async def sign_in(page: Page, url: str, user: User) -> None:
    await page.goto(url)
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Sign in").click()


async def library_of(api: ApiClient, user: User) -> list[dict[str, Any]]:
    """Every score of `user`, each once it is ready."""
    listing = await api.http.get("/scores", params={"page_size": 100}, headers=user.headers)
    assert listing.status_code == 200, listing.text
    return [await api.wait_for_score(user, s["id"], timeout=60) for s in listing.json()["items"]]


async def import_in_page(card: Locator, archive: Path) -> Locator:
    await card.get_by_label("Archive (.zip)").set_input_files(archive)
    await card.get_by_role("button", name="Start the import").click()
    state = card.locator(".import-state")
    await expect(state).to_have_attribute(
        "data-status", re.compile("completed|refused|failed"), timeout=ARCHIVE_TIMEOUT_MS
    )
    return state


def polls_of(journey: Journey, path: str) -> int:
    return sum(url.endswith(path) for url in journey.requests)


async def test_a_musician_exports_the_library_and_takes_it_to_another_account(
    journey: Journey, api: ApiClient, stack
):
    manifest = corpus_manifest()
    owner = await api.register()
    for name in PIECES:
        await api.upload_score(owner, manifest[name].path.read_bytes(), title=name.removesuffix(".pdf"))
    library = await library_of(api, owner)
    first, second = sorted(library, key=lambda s: s["title"])
    created = await api.http.post("/setlists", headers=owner.headers, json={"title": "Vespers"})
    assert created.status_code == 201, created.text
    ordered = await api.http.post(
        f"/setlists/{created.json()['id']}/items",
        headers=owner.headers,
        json={"score_ids": [second["id"], first["id"]]},
    )
    assert ordered.status_code == 200, ordered.text

    page = journey.page
    # The page's clock, so that the archive's five-minute link can be made to expire.
    await page.clock.install()
    await sign_in(page, journey.gateway_url + "/", owner)
    await nav(page, "Account").click()
    card = page.locator(".portability")
    await expect(card.get_by_role("heading", name="Your library, yours to take")).to_be_visible()
    await expect(card.get_by_text("You have not exported your library yet.")).to_be_visible()
    await journey.step("portability")

    # Export: the state is read every second until the archive is ready.
    await card.get_by_role("button", name="Export my library").click()
    item = card.locator(".export-item").first
    await expect(item).to_have_attribute("data-status", re.compile("collecting|assembling|completed"))
    await journey.step("exporting")
    await expect(item).to_have_attribute("data-status", "completed", timeout=ARCHIVE_TIMEOUT_MS)
    export_id = await item.get_attribute("data-export-id")
    assert polls_of(journey, f"/exports/{export_id}") >= 1, "the export's state was never read again"
    await expect(card.get_by_role("button", name="Export my library")).to_be_enabled()
    await expect(item).to_contain_text("2 scores, 1 setlist")
    await expect(item).to_contain_text("Available until")
    await journey.step("exported")

    link = item.get_by_role("link", name="Download the archive")
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert re.fullmatch(r"scoremate-export-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    archive = journey.folder / "export.zip"
    await download.save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        exported = json.loads(zipped.read("library.json"))
        assert sorted(s["content_hash"] for s in exported["scores"]) == sorted(
            manifest[name].sha256 for name in PIECES
        )
        for score in exported["scores"]:
            assert manifest[score["title"] + ".pdf"].sha256 == score["content_hash"]
            assert len(zipped.read(score["file"])) == score["size_bytes"]
        [setlist] = json.loads(zipped.read("setlists.json"))["setlists"]
        assert [i["score_id"] for i in setlist["items"]] == [second["id"], first["id"]]

    # Clicked after its five minutes, the link is signed anew first (one more GET of the export).
    await page.clock.fast_forward("06:00")
    reads = polls_of(journey, f"/exports/{export_id}")
    async with page.expect_download() as download_info:
        await link.click()
    renewed = await download_info.value
    assert polls_of(journey, f"/exports/{export_id}") == reads + 1
    assert await renewed.failure() is None

    # The same archive into the same library: every score is a duplicate, listed with a link to it.
    state = await import_in_page(card, archive)
    await expect(state).to_have_attribute("data-status", "completed")
    await expect(state).to_contain_text("0 scores imported")
    await expect(state).to_contain_text("2 duplicates skipped")
    duplicates = state.locator(".duplicate-list a")
    await expect(duplicates).to_have_count(2)
    hrefs = sorted([await a.get_attribute("href") or "" for a in await duplicates.all()])
    assert hrefs == sorted(f"#/scores/{s['id']}" for s in library)
    await journey.step("duplicates-skipped")

    # A hostile archive: refused, with the problem's title and detail as the API gives them.
    hostile = journey.folder / "hostile.zip"
    hostile.write_bytes(zip_of([("../../etc/evil.pdf", b"%PDF-1.4\n")]))
    state = await import_in_page(card, hostile)
    await expect(state).to_have_attribute("data-status", "refused")
    refused = await api.http.get("/imports", params={"page_size": 1}, headers=owner.headers)
    problem = refused.json()["items"][0]["problem"]
    alert = state.get_by_role("alert")
    await expect(alert).to_contain_text(problem["title"])
    if problem.get("detail"):
        await expect(alert).to_contain_text(problem["detail"])
    await journey.step("refused")

    # Readable on a phone: nothing scrolls sideways.
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    await journey.step("phone-account")

    # Into a fresh account: both scores and the setlist in its order.
    await page.get_by_role("button", name="Sign out").click()
    newcomer = await api.register()
    await sign_in(page, journey.gateway_url + "/", newcomer)
    await nav(page, "Account").click()
    state = await import_in_page(card, archive)
    await expect(state).to_have_attribute("data-status", "completed")
    await expect(state).to_contain_text("2 scores imported")
    await expect(state).to_contain_text("0 duplicates skipped")
    await expect(state).to_contain_text("1 setlist rebuilt")
    await journey.step("imported")
    await nav(page, "Library").click()
    await expect(page.locator(".score-card")).to_have_count(2)
    theirs = await library_of(api, newcomer)
    assert sorted(s["content_hash"] for s in theirs) == sorted(s["content_hash"] for s in library)

    assert await journey.csp_violations() == []
    assert journey.foreign_requests() == []


async def test_an_operator_answers_a_data_subject_request_and_reads_the_monthly_report(
    journey: Journey, api: ApiClient, stack
):
    manifest = corpus_manifest()
    owner = await api.register()
    score = await api.upload_score(owner, manifest[PIECES[0]].path.read_bytes(), title="Chorale")
    await api.wait_for_score(owner, score["id"])
    operator = await make_admin(api, stack, await api.register())
    page = journey.page
    await sign_in(page, journey.gateway_url + "/admin/", operator)

    # A data-subject request from the user's row; the operator reads its state when they choose.
    await page.get_by_label("Find a user by id").fill(owner.id)
    row = page.locator(f"tr[data-user-id='{owner.id}']")
    await row.get_by_role("button", name="Export this user's data").click()
    request = row.locator(".user-export")
    await expect(request).to_have_attribute("data-status", re.compile("collecting|assembling|completed"))
    await journey.step("data-subject-request")
    deadline = time.monotonic() + ARCHIVE_TIMEOUT_MS / 1000
    while await request.get_attribute("data-status") != "completed":
        assert time.monotonic() < deadline, await request.inner_text()
        await asyncio.sleep(1)
        check = request.get_by_role("button", name="Check again")
        if await check.count():
            await check.click()
    async with page.expect_download() as download_info:
        await request.get_by_role("link", name="Download the export").click()
    archive = journey.folder / "data-subject-export.zip"
    await (await download_info.value).save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        [exported] = json.loads(zipped.read("library.json"))["scores"]
        assert exported["content_hash"] == manifest[PIECES[0]].sha256
        assert json.loads(zipped.read("account.json"))["profile"]["email"] == owner.email
    await journey.step("data-subject-export")

    # The monthly report: this month by default, the same figures as the API's JSON.
    month = datetime.now(UTC).strftime("%Y-%m")
    expected = await _settled_report(api, operator, month, _tells_of_this_test)
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Monthly report").click()
    await expect(page.get_by_role("heading", name="Monthly report")).to_be_visible()
    await expect(page.get_by_label("Month (UTC)")).to_have_value(month)
    table = page.locator(f"table.report-table[data-month='{month}']")
    await expect(table).to_be_visible()
    for metric, value in (
        ("signups", expected["signups"]),
        ("uploads", expected["uploads"]),
        ("upload_bytes", expected["upload_bytes"]),
        ("active_users", expected["active_users"]),
        ("exports:completed", expected["exports"]["completed"]),
    ):
        figure = table.locator(f"tr[data-metric='{metric}'] td")
        await expect(figure).to_have_attribute("data-value", str(value))
    await journey.step("monthly-report")

    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download CSV").click()
    download = await download_info.value
    assert download.suggested_filename == f"scoremate-report-{month}.csv"
    saved = journey.folder / download.suggested_filename
    await download.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0] == "metric,detail,value"
    assert f"month,,{month}" in lines
    assert f"signups,,{expected['signups']}" in lines

    # Another month: its own figures (nothing happened in it).
    await page.get_by_label("Month (UTC)").fill("2020-01")
    quiet = page.locator("table.report-table[data-month='2020-01']")
    await expect(quiet.locator("tr[data-metric='signups'] td")).to_have_attribute("data-value", "0")
    await journey.step("monthly-report-2020-01")

    assert await journey.csp_violations() == []
    assert journey.foreign_requests() == []


def _tells_of_this_test(report: dict[str, Any]) -> bool:
    """Two sign-ups, an upload and an export at least (other tests of the stack add theirs)."""
    return report["signups"] >= 2 and report["uploads"] >= 1 and report["exports"]["completed"] >= 1


async def _settled_report(
    api: ApiClient, admin: User, month: str, told: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The month's report once the bus has `told` it of the test's actions and it stands still
    (their events arrive a moment after the actions)."""
    previous: dict[str, Any] | None = None
    for _ in range(100):
        response = await api.http.get(
            "/admin/reports/monthly", params={"month": month}, headers=admin.headers
        )
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        report.pop("generated_at")
        if told(report) and report == previous:
            return report
        previous = report
        await asyncio.sleep(0.3)
    raise AssertionError(f"the report of {month} never settled: {previous}")
