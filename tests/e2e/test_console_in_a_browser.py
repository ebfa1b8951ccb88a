"""The console in a real headless Chromium against a real ``tenantry serve``, on SQLite
and on PostgreSQL: sign in with an MSP's key, the Customers page, the Pending tab
refreshing itself, the copy button putting the activation link on the clipboard, Add
customer, and signing out (in another tab too). Screenshots at 1280 px and 390 px go
to ``<checkout>/var/screenshots/`` (git-ignored)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from tests.conftest import create_database, drop_database
from tests.support.live import ADMIN_TOKEN, live_server
from tests.support.server import ROOT, Server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTHS = {"wide": (1280, 800), "narrow": (390, 844)}
SKU = "ESSENTIALS_MSP_2025"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]


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


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("console")
    if request.param == "sqlite":
        with live_server(home) as running:
            yield running
        return
    admin_url = request.getfixturevalue("postgres_server")
    url = create_database(admin_url)
    try:
        with live_server(home, TENANTRY_DATABASE_URL=url) as running:
            yield running
    finally:
        drop_database(admin_url, url)


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


def test_an_msp_signs_in_sees_its_customers_copies_a_link_and_signs_out(
    server: Server, context: BrowserContext
) -> None:
    api = Api(server)
    msp = api.call(
        ADMIN_TOKEN,
        "POST",
        "/v1/partners",
        json={"name": "Northwind", "kind": "msp", "status": "production"},
    )["api_key"]
    importer = api.call(
        ADMIN_TOKEN, "POST", "/v1/service-keys", json={"role": "importer", "name": "importer"}
    )["api_key"]
    onboarded = api.customer(msp, "Fabrikam")
    link = api.call(msp, "GET", f"/v1/customers/{onboarded}/activation-link")["url"]
    assert api.client.post(urlsplit(link).path).status_code == 200
    api.call(importer, "POST", f"/v1/customers/{onboarded}/import/completion")
    pending = api.customer(msp, "Contoso")
    link = api.call(msp, "GET", f"/v1/customers/{pending}/activation-link")["url"]
    assert api.client.post(urlsplit(link).path).status_code == 200
    imports = f"/v1/customers/{pending}/import"
    message = {"level": "info", "message": "mailboxes found: 12"}
    api.call(importer, "POST", f"{imports}/log", json=message)
    failure = {"code": "MAILBOX", "message": "mailbox <ceo@contoso.example> not found"}
    api.call(importer, "POST", f"{imports}/failures", json=failure)

    page = context.new_page()
    problems = watched(page, [])
    page.goto(f"{server.url}/")
    expect(page.get_by_role("heading", name="Sign in with an API key")).to_be_visible()
    shoot(page, "sign-in")

    page.get_by_label("API key").fill("tnt_wrong_key_x")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That key was not accepted")
    page.get_by_label("API key").fill(msp)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    expect(page.get_by_text("Signed in as Northwind (MSP)")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Fabrikam")).to_be_visible()
    shoot(page, "customers")

    page.get_by_role("link", name="Pending customers").click()
    expect(page.get_by_role("rowheader", name="Contoso")).to_be_visible()
    later = api.customer(msp, "Litware")  # shows without a reload: the tab polls
    expect(page.get_by_role("rowheader", name="Litware")).to_be_visible(timeout=15_000)
    shoot(page, "pending")
    created = page.get_by_role("row", name="Litware").locator("time").first
    expect(created).to_have_attribute("title", re.compile(r"\(your time\)$"))

    expected = api.call(msp, "GET", f"/v1/customers/{later}/activation-link")["url"]
    page.get_by_role("button", name="Copy activation link for Litware").click()
    expect(page.get_by_role("button", name="Copy activation link for Litware")).to_have_text(
        "Copied"
    )
    assert page.evaluate("navigator.clipboard.readText()") == expected

    page.get_by_role("searchbox", name="Organization name").fill("litw")
    expect(page.get_by_role("rowheader", name="Contoso")).to_have_count(0)
    assert re.search(r"q=litw", page.url)

    page.get_by_role("link", name="Customers", exact=True).first.click()
    page.get_by_role("button", name="Action", exact=True).click()
    page.get_by_role("link", name="Add customer").click()
    page.get_by_label("Organization name").fill("Adatum")
    page.get_by_label("Notification email").fill("it@adatum.example")
    page.get_by_label("Audit").check()
    page.get_by_role("button", name="Apply").click()  # no SKU yet: the browser asks
    expect(page.get_by_role("heading", name="Add customer")).to_be_visible()
    page.get_by_label("Notification email").fill("not an email")
    page.get_by_label("SKU").select_option(SKU)
    page.evaluate("document.querySelector('form.add-customer').noValidate = true")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#notification_email-error")).to_be_visible()
    expect(page.get_by_label("Organization name")).to_have_value("Adatum")
    shoot(page, "add-customer")
    page.get_by_label("Notification email").fill("it@adatum.example")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("rowheader", name="Adatum")).to_be_visible()

    other = context.new_page()  # another tab of the same session signs out
    watched(other, problems)
    other.goto(f"{server.url}/console/customers")
    other.get_by_role("button", name="Sign out").click()
    expect(other.get_by_text("You are signed out.")).to_be_visible()
    # the first tab's next poll finds the session ended and goes to the sign-in page
    signed_out = page.get_by_role("heading", name="Sign in with an API key")
    expect(signed_out).to_be_visible(timeout=15_000)
    page.goto(f"{server.url}/console/customers")
    expect(signed_out).to_be_visible()
    assert problems == []
