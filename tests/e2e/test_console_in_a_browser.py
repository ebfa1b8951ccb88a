"""The console in a real headless Chromium against a real ``tenantry serve``, on SQLite
and on PostgreSQL: sign in with an MSP's key, the Customers page, the Pending tab
refreshing itself, the copy button putting the activation link on the clipboard, Add
customer, and signing out (in another tab too). Screenshots at 1280 px and 390 px go
to ``<checkout>/var/screenshots/`` (git-ignored)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.browser import SKU, Api, browser, context, server_on_sqlite, shoot, watched
from tests.support.live import ADMIN_TOKEN
from tests.support.server import Server

__all__ = ["browser", "context", "server_on_sqlite"]  # fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]


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
