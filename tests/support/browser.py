"""Console tests in a real headless Chromium (Debian's, driven by Playwright; nothing
downloads a browser build) against a real ``tenantry serve`` on SQLite and PostgreSQL:
the server, browser and context fixtures, an API client for the setup, screenshots at
1280 and 390 px (``<checkout>/var/screenshots/``, git-ignored) and axe-core's check.

A test module imports the fixtures it uses (``server``, ``browser``, ``context``) and
names them in ``__all__``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from tests.conftest import create_database, drop_database
from tests.support.backends import BOTH_DATABASES
from tests.support.live import live_server
from tests.support.server import ROOT, Server

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTHS = {"wide": (1280, 800), "narrow": (390, 844)}
SKU = "ESSENTIALS_MSP_2025"


class Api:
    def __init__(self, server: Server) -> None:
        self.client = httpx.Client(base_url=server.url, timeout=30)

    def call(self, key: str, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.client.request(
            method, path, headers={"Authorization": f"Bearer {key}"}, **kwargs
        )
        assert answer.status_code < 300, answer.text
        return answer.json()

    def customer(self, key: str, name: str) -> str:
        body = {"organization_name": name, "notification_email": "it@example.com", "sku": SKU}
        return str(self.call(key, "POST", "/v1/customers", json=body)["id"])


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``tenantry serve`` with the test clock, on SQLite and on PostgreSQL."""
    home = tmp_path_factory.mktemp("console")
    if request.param == "sqlite":
        with live_server(home, TENANTRY_TEST_CLOCK="1") as running:
            yield running
        return
    admin_url = request.getfixturevalue("postgres_server")
    url = create_database(admin_url)
    try:
        with live_server(home, TENANTRY_DATABASE_URL=url, TENANTRY_TEST_CLOCK="1") as running:
            yield running
    finally:
        drop_database(admin_url, url)


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """For checks the database cannot change (accessibility): SQLite only."""
    with live_server(tmp_path_factory.mktemp("console"), TENANTRY_TEST_CLOCK="1") as running:
        yield running


@pytest.fixture(scope="module", name="server")
def server_on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``server`` on SQLite only, for walks that the whole story
    (tests/e2e/test_console_story_in_a_browser.py) also takes on PostgreSQL: the
    suite's time goes to one walk on both databases, not to every walk twice."""
    with live_server(tmp_path_factory.mktemp("console"), TENANTRY_TEST_CLOCK="1") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    origin = urlsplit(server.url)
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        permissions=["clipboard-read", "clipboard-write"],
    )

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).netloc == origin.netloc:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    yield context
    context.close()


def watched(page: Page, problems: list[str]) -> list[str]:
    """Collects what the page's Content-Security-Policy refused, and its script errors."""
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def shoot(page: Page, name: str) -> None:
    """Screenshots at both widths; at 390 px nothing may stick out of the page (the
    tables scroll inside their own box)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)
        page.screenshot(path=SCREENSHOTS / f"console-{name}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {label} ({width} px) is {overflow} px too wide"
    page.set_viewport_size({"width": 1280, "height": 800})


def axe_violations(page: Page) -> list[str]:
    """What axe-core (vendored, tests/support/vendor/axe-core) finds serious or critical
    on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by the driver, not loaded by the page: the page's CSP stays strict.
        page.evaluate(AXE.read_text() + "\n;undefined")
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + json.dumps([node["target"] for node in v["nodes"]][:5])
        for v in found
        if v["impact"] in SERIOUS
    ]


def accessible(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation at 1280 px nor at 390 px."""
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        found = axe_violations(page)
        assert found == [], f"{name} at {width} px: {found}"
    page.set_viewport_size({"width": 1280, "height": 800})


def instant(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def utc(at: str) -> str:
    """An API instant as the console writes it."""
    return f"{instant(at):%Y-%m-%d %H:%M} UTC"


def sign_in(page: Page, server: Server, key: str) -> None:
    """Sign in with an API key, on the sign-in page's second form (whoever was signed
    in on the page's context before is not any more)."""
    page.context.clear_cookies()
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()


def open_action(page: Page, organization: str, label: str) -> None:
    """Tick ``organization`` on the Customers tab and choose ``label`` in Actions."""
    page.get_by_role("checkbox", name=f"Select {organization}").check()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
