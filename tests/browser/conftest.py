"""The web app and the admin console in a real browser: Debian's Chromium, headless, driven by
Playwright (never `playwright install`: the stack's installer puts Chromium in /usr/bin), against
the test stack's gateway. Every step leaves a screenshot in .run/test-artifacts/browser/<journey>/;
every page the journeys visit is checked with axe-core (web/node_modules, the app's devDependency)."""

import hashlib
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from scoremate_stack.web import WEB_DIR, build_web
from tests.support import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / ".run" / "test-artifacts" / "browser"
AXE = WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"
# `make screenshots` sets it to docs/screenshots: the README's pictures come from these journeys.
README_SCREENSHOTS = os.environ.get("SCOREMATE_README_SCREENSHOTS")
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# What axe reports at these impacts fails a page (moderate and minor ones are written down only).
BLOCKING_IMPACTS = ("serious", "critical")

# Collects what the page's Content-Security-Policy refused (none may be): installed before any
# script of the page runs.
_CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(scope="session")
def web_build() -> Path:
    """web/dist as the gateway serves it (built unless current: `make test` built it already)."""
    build_web()
    return WEB_DIR / "dist"


@pytest.fixture(scope="session")
def axe_source(web_build: Path) -> str:
    return AXE.read_text()


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make install` installs Debian's chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(web_build: Path, chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), headless=True)
        yield launched
        await launched.close()


class Journey:
    """One person's walk through the pages, with its evidence: a numbered screenshot after each
    step, axe-core's findings on each page, and every request the browser made (none may leave
    the gateway)."""

    def __init__(
        self, context: BrowserContext, page: Page, name: str, gateway_url: str, axe_source: str
    ) -> None:
        self.context = context
        self.axe_source = axe_source
        self.page = page
        self.gateway_url = gateway_url
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.steps = 0
        self.requests: list[str] = []
        self.console: list[str] = []
        self.accessibility: dict[str, list[dict[str, Any]]] = {}
        context.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    async def step(self, label: str, *, axe: bool = True, readme: str | None = None) -> None:
        """A screenshot of the page as it is now, and the accessibility check of it."""
        self.steps += 1
        path = self.folder / f"{self.steps:02d}-{label}.png"
        await self.page.screenshot(path=path, full_page=True)
        if readme and README_SCREENSHOTS:
            target = REPO_ROOT / README_SCREENSHOTS / f"{readme}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            await self.page.screenshot(path=target)
        if axe:
            await self.check_accessibility(label)

    async def check_accessibility(self, label: str) -> None:
        # Evaluated through the DevTools protocol: add_script_tag would insert an inline script,
        # which the page's own Content-Security-Policy (script-src 'self') rightly refuses.
        if not await self.page.evaluate("() => typeof window.axe === 'object'"):
            await self.page.evaluate(self.axe_source)
        result = await self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        self.accessibility[label] = violations
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {label}: {json.dumps(blocking, indent=1)}"

    async def csp_violations(self) -> list[str]:
        violations: list[str] = await self.page.evaluate("() => window.__cspViolations || []")
        return violations

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the gateway (the pages must need nothing else)."""
        ours = urlsplit(self.gateway_url).netloc
        return [url for url in self.requests if urlsplit(url).netloc != ours and not url.startswith("data:")]

    def write_report(self) -> None:
        (self.folder / "accessibility.json").write_text(json.dumps(self.accessibility, indent=1))
        (self.folder / "console.log").write_text("\n".join(self.console))
        (self.folder / "requests.log").write_text("\n".join(self.requests))


@pytest.fixture
async def journey(
    request: pytest.FixtureRequest, browser: Browser, axe_source: str, stack: Any
) -> AsyncIterator[Journey]:
    context = await browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(15_000)
    await context.add_init_script(_CSP_WATCH)
    await context.tracing.start(screenshots=True, snapshots=True)
    page = await context.new_page()
    walk = Journey(context, page, request.node.name, stack.gateway_url, axe_source)
    try:
        yield walk
    finally:
        # Where it ended (on a failure: what the page showed then).
        await page.screenshot(path=walk.folder / "99-end.png", full_page=True)
        walk.write_report()
        # The trace of every action (`playwright show-trace` opens it) beside the screenshots.
        await context.tracing.stop(path=walk.folder / "trace.zip")
        await context.close()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
