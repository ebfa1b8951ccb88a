"""The whole story through the console in a real Chromium, on SQLite and PostgreSQL,
with the test clock: a person signs in from the emailed link, adds a customer (after a
validation error), copies its link from the Pending tab (read from the clipboard), the
customer activates, an import message and an import error show without a reload, the
customer moves to Customers, **+ Extend trial** is disabled with **Available from** and
its date (and disabled with its reason for the distributor), the clock moves into the
window, the trial is extended, the upgrade held, the trial expires, the customer is
converted, and an auditor sees it **As of** before the conversion. Screenshots of each
step at 1280 and 390 px go to ``var/screenshots/``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import (
    SKU,
    Api,
    browser,
    context,
    instant,
    open_action,
    server,
    shoot,
    sign_in,
    utc,
    watched,
)
from tests.support.live import ADMIN_TOKEN
from tests.support.outbox import last_sign_in_link, sign_in_links
from tests.support.server import Server

__all__ = ["browser", "context", "server"]  # fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
ADA = "ada@northwind.example"
POLL_S = 15_000  # ms: the Pending tab polls every 5 s


def emailed_sign_in(page: Page, server: Server, outbox: Path, before: int) -> None:
    """Ask for a sign-in link on the sign-in page and follow the one that arrives."""
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("Email address").fill(ADA)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator("#link-note")).to_contain_text("a sign-in link is on its way")
    for _ in range(100):
        if len(sign_in_links(outbox, ADA)) > before:
            break
        page.wait_for_timeout(100)
    page.goto(last_sign_in_link(outbox, ADA))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()


def now(api: Api) -> datetime:
    return instant(api.call(ADMIN_TOKEN, "GET", "/v1/test-clock")["now"])


def advance_past(api: Api, at: str) -> None:
    """Move the test clock a minute past the instant ``at`` (the service settles first)."""
    seconds = int((instant(at) - now(api)).total_seconds()) + 60
    api.call(ADMIN_TOKEN, "POST", "/v1/test-clock/advance", json={"seconds": seconds})


def test_the_story_through_the_console(server: Server, context: BrowserContext) -> None:
    api = Api(server)
    outbox: Path = server.workdir / "outbox"
    dist = api.call(
        ADMIN_TOKEN, "POST", "/v1/partners", json={"name": "Contoso Dist", "kind": "distributor"}
    )
    msp = api.call(
        ADMIN_TOKEN,
        "POST",
        "/v1/partners",
        json={
            "name": "Northwind",
            "kind": "msp",
            "status": "production",
            "distributor_id": dist["id"],
        },
    )
    importer = api.call(
        ADMIN_TOKEN, "POST", "/v1/service-keys", json={"role": "importer", "name": "importer"}
    )["api_key"]
    auditor = api.call(
        ADMIN_TOKEN, "POST", "/v1/service-keys", json={"role": "auditor", "name": "Audit"}
    )["api_key"]
    person = {"email": ADA, "name": "Ada Lovelace", "role": "admin"}
    api.call(ADMIN_TOKEN, "POST", f"/v1/partners/{msp['id']}/users", json=person)

    # Ada signs in from the link her invitation emailed
    page = context.new_page()
    problems = watched(page, [])
    page.goto(last_sign_in_link(outbox, ADA, timeout=10))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Ada Lovelace")).to_be_visible()

    # she adds a customer: a bad address first, then the right one
    page.get_by_role("button", name="Action", exact=True).click()
    page.get_by_role("link", name="Add customer").click()
    page.get_by_label("Organization name").fill("Fabrikam")
    page.get_by_label("Notification email").fill("not an email")
    page.get_by_label("SKU").select_option(SKU)
    page.evaluate("document.querySelector('form.add-customer').noValidate = true")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#notification_email-error")).to_be_visible()
    expect(page.get_by_label("Organization name")).to_have_value("Fabrikam")
    shoot(page, "story-add-customer-error")
    page.get_by_label("Notification email").fill("it@fabrikam.example")
    page.get_by_role("button", name="Apply").click()

    # the Pending tab: she copies the link, the customer activates with it
    expect(page.get_by_role("rowheader", name="Fabrikam")).to_be_visible()
    [cid] = [c["id"] for c in api.call(msp["api_key"], "GET", "/v1/customers/pending")["items"]]
    page.get_by_role("button", name="Copy activation link for Fabrikam").click()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == api.call(msp["api_key"], "GET", f"/v1/customers/{cid}/activation-link")["url"]
    customer_page = context.new_page()
    customer_page.goto(link)
    customer_page.get_by_role("button", name="Activate").click()
    expect(customer_page.get_by_text("activated", exact=False).first).to_be_visible()
    customer_page.close()
    row = page.get_by_role("row", name="Fabrikam")
    expect(row).to_contain_text("activated", timeout=POLL_S)

    # the importer's message and error show without a reload
    imports = f"/v1/customers/{cid}/import"
    message = {"level": "info", "message": "mailboxes found: 12"}
    api.call(importer, "POST", f"{imports}/log", json=message)
    failure = {"code": "MAILBOX", "message": "mailbox <ceo@fabrikam.example> not found"}
    api.call(importer, "POST", f"{imports}/failures", json=failure)
    expect(row).to_contain_text("mailboxes found: 12", timeout=POLL_S)
    expect(row).to_contain_text("MAILBOX: mailbox <ceo@fabrikam.example> not found")
    shoot(page, "story-pending-import")

    # onboarded, it leaves the Pending tab for Customers
    api.call(importer, "POST", f"{imports}/completion")
    expect(page.get_by_role("rowheader", name="Fabrikam")).to_have_count(0, timeout=POLL_S)
    page.get_by_role("link", name="Customers", exact=True).first.click()
    expect(page.get_by_role("link", name="Fabrikam")).to_be_visible()

    # too early to extend: Apply is disabled, with the date it becomes possible
    customer = api.call(msp["api_key"], "GET", f"/v1/customers/{cid}")
    opens = customer["actions"]["extend_trial"]["available_from"]
    open_action(page, "Fabrikam", "+ Extend trial")
    panel = page.locator("#panel")
    expect(panel.get_by_role("button", name="Apply")).to_be_disabled()
    expect(panel.get_by_text("Available from")).to_contain_text(utc(opens))
    shoot(page, "story-extend-disabled")

    # the distributor sees its MSP's customer, and may not extend it
    viewer = context.browser.new_context() if context.browser else None
    assert viewer is not None
    dist_page = viewer.new_page()
    sign_in(dist_page, server, dist["api_key"])
    open_action(dist_page, "Fabrikam", "+ Extend trial")
    dist_panel = dist_page.locator("#panel")
    expect(dist_panel.get_by_role("button", name="Apply")).to_be_disabled()
    expect(dist_panel.locator(".why")).to_be_visible()
    shoot(dist_page, "story-distributor-extend")
    viewer.close()

    # into the window: the trial is extended
    advance_past(api, opens)
    emailed_sign_in(page, server, outbox, len(sign_in_links(outbox, ADA)))
    open_action(page, "Fabrikam", "+ Extend trial")
    panel.get_by_role("button", name="Apply").click()
    expect(panel.get_by_role("status", name="Results")).to_contain_text("Trial extended")
    trial_ends_at = api.call(msp["api_key"], "GET", f"/v1/customers/{cid}")["trial_ends_at"]
    expect(panel.get_by_role("status", name="Results")).to_contain_text(utc(trial_ends_at))
    shoot(page, "story-extended")

    # the upgrade held, the trial runs out and the customer expires
    open_action(page, "Fabrikam", "Manage subscription upgrade")
    panel.get_by_role("button", name="Hold the upgrade").click()
    expect(panel.get_by_role("status", name="Results")).to_contain_text("Automatic upgrade held")
    advance_past(api, trial_ends_at)
    expired_since = now(api)  # the clock stands still: the conversion is recorded then
    emailed_sign_in(page, server, outbox, len(sign_in_links(outbox, ADA)))
    expired = page.locator("#list").get_by_role("row", name="Fabrikam")
    expect(expired.get_by_role("cell", name="EXPIRED")).to_be_visible()
    shoot(page, "story-expired")

    # converted by hand to production
    open_action(page, "Fabrikam", "Convert to production account")
    panel.get_by_role("button", name="Apply").click()
    expect(panel.get_by_role("status", name="Results")).to_contain_text("Converted to production")
    expect(expired.get_by_role("cell", name="PRODUCTION")).to_be_visible()
    shoot(page, "story-converted")

    # the history says who; an auditor sees the customer as it was before the conversion
    page.get_by_role("link", name="Fabrikam").click()
    expect(page.get_by_role("row", name="TrialExtended")).to_contain_text("Ada Lovelace")
    sign_in(page, server, auditor)
    page.goto(f"{server.url}/console/customers/{cid}")
    when = expired_since - timedelta(seconds=30)
    page.get_by_label("As of (UTC)").fill(f"{when:%Y-%m-%dT%H:%M:%S}")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".as-of-note")).to_contain_text("As it was at")
    expect(page.get_by_role("cell", name="EXPIRED", exact=True)).to_be_visible()
    shoot(page, "story-as-of")
    assert problems == []
