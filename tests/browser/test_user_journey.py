"""A musician's first session in the web app, in Chromium: register, upload two corpus PDFs by the
file input, watch both covers appear without a reload, search one by part of its accented title,
open it and see its pages, build a setlist of both, reorder it by dragging, find the order kept
after a reload, download the original and compare its SHA-256."""

import asyncio
import re
import uuid

import pytest
from playwright.async_api import FilePayload, Route, expect

from tests.browser.conftest import DESKTOP, PHONE, Journey, sha256_of
from tests.support import CORPUS, ApiClient, corpus_manifest, mail_to

pytestmark = pytest.mark.stack

# A musician's own file name, accented: the app makes it the title.
CHORALE = (
    "bach_chorale-bwv1-6.pdf",
    "Wie schön leuchtet der Morgenstern.pdf",
    "Wie schön leuchtet der Morgenstern",
)
# Over the test stack's multipart threshold (1 MiB): uploaded in parts, where the API offers it.
SCAN = (
    "mozart_quartet-k458-mvt2_scanned-200dpi.pdf",
    "mozart_quartet-k458-mvt2_scanned-200dpi.pdf",
    "mozart quartet-k458-mvt2 scanned-200dpi",
)


async def test_a_musician_uploads_finds_arranges_and_downloads_scores(journey: Journey, stack):
    page = journey.page
    manifest = corpus_manifest()
    await page.goto(journey.gateway_url + "/")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await journey.step("sign-in")

    await page.get_by_role("button", name="Create an account").click()
    email = f"musician-{uuid.uuid4().hex[:10]}@example.com"
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("correct horse battery")
    await journey.step("register")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Library")).to_be_visible()
    await expect(page.get_by_text("Your library is empty")).to_be_visible()
    await journey.step("empty-library")

    # Both files at once through the file input; a marker on the window proves no reload happens.
    await page.evaluate("() => { window.__sameDocument = true; }")
    files: list[FilePayload] = [
        {"name": shown, "mimeType": "application/pdf", "buffer": (CORPUS / name).read_bytes()}
        for name, shown, _ in (CHORALE, SCAN)
    ]
    await page.locator("input[type=file]").set_input_files(files)
    await expect(page.locator(".upload")).to_have_count(2)
    await journey.step("uploading", axe=False)
    cards = page.locator(".score-card")
    await expect(cards).to_have_count(2, timeout=20_000)
    covers = page.locator(".score-card img.cover")
    await expect(covers).to_have_count(2, timeout=45_000)
    for cover in await covers.all():
        await expect(cover).to_have_js_property("complete", True)
        assert await cover.evaluate("img => img.naturalWidth") > 0
    assert await page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    await expect(page.locator(".upload[data-phase=done]")).to_have_count(2)
    # The large one went in parts (POST .../complete), the small one in a single PUT.
    assert any(re.search(r"/files/uploads/[0-9a-f-]+/complete$", url) for url in journey.requests)
    await page.get_by_role("button", name="Clear finished uploads").click()
    await journey.step("covers", readme="library")

    # Search as you type, by part of the accented title, in another case.
    await page.get_by_label("Search").fill("SCHÖN leucht")
    await expect(cards).to_have_count(1)
    await expect(cards.first).to_contain_text(CHORALE[2])
    await expect(page.get_by_text("1 score found")).to_be_visible()
    await journey.step("search")

    await cards.first.get_by_role("link").click()
    await expect(page.get_by_role("heading", name=CHORALE[2], level=1)).to_be_visible()
    # Further down the page: each image is asked for as it scrolls into view.
    await page.get_by_role("heading", name="Pages").scroll_into_view_if_needed()
    thumbnails = page.locator(".page-thumb img")
    await expect(thumbnails).to_have_count(manifest[CHORALE[0]].pages, timeout=20_000)
    for number, thumbnail in enumerate(await thumbnails.all(), start=1):
        await expect(thumbnail).to_have_attribute("alt", f"Page {number}")
        await expect(thumbnail).to_have_js_property("complete", True)
        assert await thumbnail.evaluate("img => img.naturalWidth") > 0
    await journey.step("score-pages")

    # Details edited (sent with If-Match of the version shown), then the original downloaded.
    await page.get_by_label("Composer").fill("Johann Sebastian Bach")
    await page.get_by_label("Tags").fill("chorale, Advent")
    await page.get_by_role("button", name="Save details").click()
    await expect(page.get_by_text("Saved.")).to_be_visible()
    await expect(page.locator(".lead")).to_have_text("Johann Sebastian Bach")
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download original").click()
    download = await download_info.value
    saved = journey.folder / "downloaded.pdf"
    await download.save_as(saved)
    assert sha256_of(saved) == manifest[CHORALE[0]].sha256
    await journey.step("details-saved")

    # A setlist of both.
    await nav(page, "Setlists").click()
    await expect(page.get_by_role("heading", name="Setlists", level=1)).to_be_visible()
    await journey.step("setlists")
    await page.get_by_label("Title").fill("Sunday service")
    await page.get_by_label("Description").fill("Cantata and quartet")
    await page.get_by_role("button", name="Create setlist").click()
    await expect(page.get_by_role("heading", name="Sunday service")).to_be_visible()
    additions = page.locator(".add-list li")
    await expect(additions).to_have_count(2)
    for title in (CHORALE[2], SCAN[2]):
        await additions.filter(has_text=title).get_by_role("button").click()
        await expect(page.get_by_text("Order saved.")).to_be_visible()
    items = page.locator(".setlist-item-title")
    await expect(items).to_have_text([CHORALE[2], SCAN[2]])
    await journey.step("setlist")

    # Reordered by dragging the second piece above the first.
    handles = page.locator(".setlist-item .drag-handle")
    await drag(page, handles.nth(1), page.locator(".setlist-item").first)
    await expect(items).to_have_text([SCAN[2], CHORALE[2]])
    await expect(page.get_by_text("Order saved.")).to_be_visible()
    await journey.step("reordered")

    refreshes = sum(url.endswith("/auth/refresh") for url in journey.requests)
    await page.reload()
    await expect(page.get_by_role("heading", name="Sunday service")).to_be_visible()
    await expect(items).to_have_text([SCAN[2], CHORALE[2]])
    # Still signed in: the refresh token kept for this tab bought a new access token.
    assert sum(url.endswith("/auth/refresh") for url in journey.requests) == refreshes + 1
    await journey.step("reloaded")
    # Printed: the title and the numbered pieces, no controls.
    await page.emulate_media(media="print")
    await expect(page.get_by_role("button", name="Print")).to_be_hidden()
    await expect(page.locator(".topbar")).to_be_hidden()
    await journey.step("printed", axe=False)
    await page.emulate_media(media="screen")

    # An access token refused (expired, revoked key) is refreshed once, quietly, and the call sent
    # again: the page shows the answer, not an error.
    refused: list[str] = []

    async def refuse_once(route: Route) -> None:
        if refused:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.fulfill(status=401, content_type="application/problem+json", body="{}")

    await page.route("**/auth/me", refuse_once)
    refreshes = sum(url.endswith("/auth/refresh") for url in journey.requests)
    await nav(page, "Account").click()
    await expect(page.get_by_role("heading", name="Storage")).to_be_visible()
    await expect(page.locator(".account meter")).to_be_visible()
    await expect(page.locator(".facts dd").first).to_have_text(email)
    assert refused
    assert sum(url.endswith("/auth/refresh") for url in journey.requests) == refreshes + 1
    await page.unroute("**/auth/me")
    await expect(page.get_by_text("Your e-mail address is not confirmed yet")).to_be_visible()

    # The link of the verification e-mail opens the app's page for it.
    for _ in range(100):
        if mail_to(stack, email):
            break
        await asyncio.sleep(0.1)
    [message] = mail_to(stack, email)
    link = re.search(r"/verify-email\?token=[A-Za-z0-9_-]+", message["text"])
    assert link, message["text"]
    await page.goto(journey.gateway_url + link.group(0))
    await expect(page.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    await journey.step("email-confirmed")
    await page.get_by_role("link", name="Open ScoreMate").click()
    await nav(page, "Account").click()
    await expect(page.get_by_role("heading", name="Storage")).to_be_visible()
    await expect(page.get_by_text("Your e-mail address is not confirmed yet")).to_have_count(0)
    await journey.step("account")

    # Readable on a phone: the library fits the width, nothing scrolls sideways.
    await page.set_viewport_size(PHONE)
    await nav(page, "Library").click()
    await expect(cards).to_have_count(2)
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    await journey.step("phone-library")
    await page.set_viewport_size(DESKTOP)

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert await page.evaluate("() => sessionStorage.length") == 0
    assert any(url.endswith("/auth/logout") for url in journey.requests)
    await journey.step("signed-out", axe=False)

    assert await journey.csp_violations() == []
    assert journey.foreign_requests() == []


def nav(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


async def drag(page, handle, target) -> None:
    """Press on the handle, move in steps over the target's upper half, release: what a hand does
    (the list sorts on pointer movement, on a desktop as on a touch screen)."""
    start = await handle.bounding_box()
    end = await target.bounding_box()
    assert start
    assert end
    await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 4, steps=12)
    await page.mouse.up()


async def test_without_the_live_stream_the_cover_still_appears_by_polling(journey: Journey, api: ApiClient):
    """A gateway without GET /sync/stream (an older server, the sync service away): the library
    asks for a processing score's state until its cover is there."""
    user = await api.register()
    page = journey.page

    async def no_stream(route: Route) -> None:
        await route.fulfill(
            status=404,
            content_type="application/problem+json",
            body='{"type":"about:blank","title":"Not found","status":404}',
        )

    await page.route("**/sync/stream", no_stream)
    await page.goto(journey.gateway_url + "/")
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Library")).to_be_visible()
    await page.locator("input[type=file]").set_input_files(CORPUS / "bach_chorale-bwv244-10.pdf")
    await expect(page.locator(".score-card img.cover")).to_have_count(1, timeout=30_000)
    polled = [url for url in journey.requests if re.search(r"/scores/[0-9a-f-]{36}$", url)]
    assert polled, "the cover arrived without polling and without the stream"
    await journey.step("polled-cover")
