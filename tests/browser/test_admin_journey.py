"""An operator's round in the admin console, in Chromium: find a user, see the task that failed on
their hostile file, retry it, replay a dead letter, and find both actions in the access log."""

import asyncio

import aio_pika
import pytest
from playwright.async_api import expect

from tests.browser.conftest import Journey
from tests.support import CORPUS, ApiClient, User, admin_cli

pytestmark = pytest.mark.stack

# Starts like a PDF and has the announced hash, so it is stored; then it cannot be read
# (corpus/bad/manifest.csv: "first half of a real score", failed, permanent).
HOSTILE = CORPUS / "bad" / "truncated-half.pdf"
DEAD_QUEUE = "billing.score-uploaded"


async def dead_letters(api: ApiClient, admin: User) -> int:
    listing = await api.http.get("/admin/dead-letters/billing", headers=admin.headers)
    assert listing.status_code == 200, listing.text
    return int({q["queue"]: q["dead_letters"] for q in listing.json()}[DEAD_QUEUE])


async def test_an_operator_finds_a_user_retries_a_failed_task_and_replays_a_dead_letter(
    journey: Journey, api: ApiClient, stack
):
    # A user whose upload failed processing, and an operator (what `make admin EMAIL=...` does).
    user = await api.register()
    score = await api.upload_score(user, HOSTILE.read_bytes(), title="Half a score")
    failed = await api.wait_for_score(user, score["id"])
    assert failed["status"] == "failed", failed
    operator = await api.register()
    await admin_cli(stack, "grant-admin", operator.email)
    tokens = await api.login(operator.email, operator.password)
    admin = User(
        operator.id, operator.email, operator.password, tokens["access_token"], tokens["refresh_token"]
    )
    # A message no consumer can read: dead-lettered at once (as tests/admin do).
    connection = await aio_pika.connect_robust(stack.amqp_url)
    async with connection, connection.channel(publisher_confirms=True) as channel:
        exchange = await channel.get_exchange("scoremate.events")
        await exchange.publish(aio_pika.Message(b"not an event at all"), routing_key="score.uploaded.v1")
    for _ in range(100):
        if await dead_letters(api, admin) >= 1:
            break
        await asyncio.sleep(0.1)

    page = journey.page
    await page.goto(journey.gateway_url + "/admin/")
    await expect(page.get_by_role("heading", name="ScoreMate admin console")).to_be_visible()
    await expect(page.get_by_role("button", name="Create an account")).to_have_count(0)
    await journey.step("sign-in")
    await page.get_by_label("E-mail").fill(operator.email)
    await page.get_by_label("Password").fill(operator.password)
    await page.get_by_role("button", name="Sign in").click()

    # Find the user by (part of) their id.
    await expect(page.get_by_role("heading", name="Users")).to_be_visible()
    await page.get_by_label("Find a user by id").fill(user.id[:13])
    row = page.locator(f"tr[data-user-id='{user.id}']")
    await expect(row).to_be_visible()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(row).to_contain_text("solo")
    await journey.step("user-found")
    await row.get_by_role("link", name="Files").click()
    await expect(page.get_by_role("heading", name="Files")).to_be_visible()
    await expect(page.locator("tbody tr").filter(has_text=score["id"]).first).to_be_visible()
    await journey.step("user-files")

    # The failed task of the hostile file, its log, and a retry.
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Tasks").click()
    await expect(page.get_by_label("Status")).to_have_value("FAILED")
    task = page.locator(f"tr[data-score-id='{score['id']}']")
    await expect(task).to_have_attribute("data-status", "FAILED")
    await task.locator("summary").click()
    await expect(task.locator("pre")).to_be_visible()
    await journey.step("failed-task", readme="console")
    await task.get_by_role("button", name="Retry").click()
    await expect(page.get_by_text("queued again")).to_be_visible()
    await journey.step("task-retried")
    task_id = await task.get_attribute("data-task-id")
    retried = await api.http.get(f"/tasks/{task_id}", headers=user.headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] in ("PENDING", "RUNNING", "FAILED")

    # A dead letter replayed.
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Dead letters").click()
    queue = page.locator(f"tr[data-queue='{DEAD_QUEUE}']")
    await expect(queue).to_be_visible()
    assert int(await queue.get_attribute("data-dead-letters") or 0) >= 1
    await journey.step("dead-letters")
    await queue.get_by_role("button", name="Replay").click()
    await expect(page.get_by_text(f"of {DEAD_QUEUE}.")).to_contain_text("Replayed")
    await journey.step("replayed")

    # Both actions went through the admin API, which recorded them under the operator's id.
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Access log").click()
    await page.get_by_label("User id").fill(operator.id)
    for _ in range(50):
        await page.get_by_role("button", name="Filter").click()
        actions = await page.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.action)")
        if {"admin:retry_task", "admin:replay_dead_letters"} <= set(actions):
            break
        await asyncio.sleep(0.2)
    assert {"admin:retry_task", "admin:replay_dead_letters"} <= set(actions), actions
    await journey.step("access-log")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    assert await journey.csp_violations() == []
    assert journey.foreign_requests() == []


async def test_an_account_without_the_admin_role_gets_no_console(journey: Journey, api: ApiClient):
    user = await api.register()
    page = journey.page
    await page.goto(journey.gateway_url + "/admin/")
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("This account has no admin role.")).to_be_visible()
    await expect(page.get_by_role("navigation", name="Console")).to_have_count(0)
    await journey.step("not-an-admin")
