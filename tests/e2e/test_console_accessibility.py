"""Every console page in a real Chromium: axe-core finds no serious or critical
violation at 1280 px nor at 390 px, and a person using the keyboard alone signs in,
adds a customer (after a validation error), opens every panel of the Actions menu and
holds an upgrade, copies a link on the Pending tab and signs out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import (
    SKU,
    Api,
    accessible,
    axe_violations,
    browser,
    context,
    open_action,
    watched,
)
from tests.support.live import ADMIN_TOKEN, live_server
from tests.support.outbox import last_sign_in_link
from tests.support.server import Server

__all__ = ["browser", "context"]  # fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Pages do not depend on the database: the walks on both are in the other tests.
    SQLite, and a webhook endpoint may be on loopback (http://)."""
    home = tmp_path_factory.mktemp("console")
    with live_server(
        home, TENANTRY_TEST_CLOCK="1", TENANTRY_WEBHOOKS_ALLOW_INSECURE="1"
    ) as running:
        yield running


pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
ACTIONS = (
    "+ Extend trial",
    "Manage subscription upgrade",
    "Convert to production account",
    "Edit SKUs and expiration dates",
)


def seeded(api: Api, outbox: Path) -> dict[str, str]:
    """A distributor, its MSP with a pending and an onboarded customer whose names and
    import message hold markup, a disabled webhook endpoint, an auditor, and a person of
    the MSP invited (the sign-in link emailed to her)."""
    dist = api.call(
        ADMIN_TOKEN, "POST", "/v1/partners", json={"name": "Dist", "kind": "distributor"}
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
    onboarded = api.customer(msp["api_key"], "Fabrikam <b>Ltd</b>")
    link = api.call(msp["api_key"], "GET", f"/v1/customers/{onboarded}/activation-link")["url"]
    assert api.client.post(urlsplit(link).path).status_code == 200
    api.call(importer, "POST", f"/v1/customers/{onboarded}/import/completion")
    pending = api.customer(msp["api_key"], "Contoso")
    link = api.call(msp["api_key"], "GET", f"/v1/customers/{pending}/activation-link")["url"]
    assert api.client.post(urlsplit(link).path).status_code == 200
    message = {"level": "warning", "message": "<script>alert(1)</script> 3 mailboxes skipped"}
    api.call(importer, "POST", f"/v1/customers/{pending}/import/log", json=message)
    # Loopback, and never sent to: no trial expires here, and it is disabled at once.
    hook = {
        "url": "http://127.0.0.1:9/hooks",
        "event_types": ["customer.trial_expired"],
        "description": "<b>CRM</b>",
    }
    endpoint = api.call(msp["api_key"], "POST", "/v1/webhook-endpoints", json=hook)
    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    api.call(msp["api_key"], "PATCH", path, json={"disabled": True})
    ada = f"ada.{msp['id'][:8]}@northwind.example"  # a new person for each seed
    person = {"email": ada, "name": "Ada Lovelace", "role": "admin"}
    api.call(ADMIN_TOKEN, "POST", f"/v1/partners/{msp['id']}/users", json=person)
    return {
        "msp": msp["api_key"],
        "dist": dist["api_key"],
        "auditor": auditor,
        "endpoint": endpoint["id"],
        "sign_in_link": last_sign_in_link(outbox, ada, timeout=10),
    }


def signed_in(context: BrowserContext, server: Server, key: str) -> Page:
    context.clear_cookies()  # whoever was signed in before is not any more
    page = context.new_page()
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    return page


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    server: Server, context: BrowserContext
) -> None:
    keys = seeded(Api(server), server.workdir / "outbox")
    problems: list[str] = []
    page = context.new_page()
    watched(page, problems)
    page.goto(f"{server.url}/console/sign-in")
    accessible(page, "sign-in")
    page.get_by_label("API key").fill("tnt_wrong_key_x")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    accessible(page, "sign-in with an error")

    page = signed_in(context, server, keys["msp"])
    watched(page, problems)
    accessible(page, "customers")
    page.goto(f"{server.url}/console/customers?tab=pending")
    expect(page.get_by_role("rowheader", name="Contoso")).to_be_visible()
    accessible(page, "pending customers")
    page.goto(f"{server.url}/console/customers/new")
    accessible(page, "add customer")
    page.evaluate("document.querySelector('form.add-customer').noValidate = true")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    accessible(page, "add customer with errors")
    page.goto(f"{server.url}/console/partners")
    accessible(page, "a page the MSP may not open")
    page.goto(f"{server.url}/console/webhooks")
    expect(page.get_by_role("cell", name="<b>CRM</b>")).to_be_visible()
    accessible(page, "webhooks")
    page.get_by_role("button", name="Rotate secret of").click()
    expect(page.get_by_role("heading", name="The new signing secret")).to_be_visible()
    accessible(page, "webhooks with a secret shown")
    page.get_by_label("URL").fill("ftp://example.com/hooks")
    page.evaluate("document.querySelector('form.add-endpoint').noValidate = true")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#url-error")).to_be_visible()
    accessible(page, "add a webhook endpoint with an error")
    page.goto(f"{server.url}/console/webhooks/{keys['endpoint']}")
    accessible(page, "a webhook endpoint's deliveries")
    page.goto(f"{server.url}/console/webhooks/{keys['endpoint']}/deletion")
    accessible(page, "delete a webhook endpoint")
    page.goto(f"{server.url}/console/webhooks/{keys['endpoint']}/edit")
    accessible(page, "edit a webhook endpoint")
    page.get_by_label("URL").fill("ftp://example.com/hooks")
    page.evaluate("document.querySelector('form.edit-endpoint').noValidate = true")
    page.get_by_role("button", name="Save endpoint").click()
    expect(page.locator("#url-error")).to_be_visible()
    accessible(page, "edit a webhook endpoint with an error")

    page.goto(f"{server.url}/console/analytics")
    accessible(page, "analytics")
    page.goto(f"{server.url}/console/customers")
    for label in ACTIONS:
        open_action(page, "Fabrikam <b>Ltd</b>", label)
        accessible(page, f"the {label} panel")
    page.get_by_role("link", name="Fabrikam <b>Ltd</b>").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    accessible(page, "a customer's page")

    page = signed_in(context, server, keys["dist"])
    watched(page, problems)
    page.goto(f"{server.url}/console/partners")
    expect(page.get_by_role("rowheader", name="Northwind")).to_be_visible()
    accessible(page, "partners")

    page = signed_in(context, server, keys["auditor"])
    watched(page, problems)
    page.get_by_role("link", name="Fabrikam <b>Ltd</b>").click()
    page.get_by_role("button", name="Show").click()
    accessible(page, "a customer's page as of an instant")

    context.clear_cookies()
    page = context.new_page()
    watched(page, problems)
    page.goto(keys["sign_in_link"])
    accessible(page, "a sign-in link's page")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    accessible(page, "users")
    assert problems == []


def test_the_checker_finds_a_violation_where_there_is_one(context: BrowserContext) -> None:
    page = context.new_page()
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert any("image-alt" in line for line in axe_violations(page))


def press_until_focused(page: Page, role: str, name: str, limit: int = 40) -> None:
    """Tab forward until the element with that role and accessible name has the focus."""
    target = page.get_by_role(role, name=name, exact=True).first  # type: ignore[arg-type]
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the keyboard never reached the {role} {name!r}")


def test_the_keyboard_alone_reaches_every_action(server: Server, context: BrowserContext) -> None:
    keys = seeded(Api(server), server.workdir / "outbox")
    page = context.new_page()
    page.goto(f"{server.url}/console/sign-in")
    press_until_focused(page, "textbox", "API key")
    page.keyboard.type(keys["msp"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()

    press_until_focused(page, "button", "Action")
    page.keyboard.press("Enter")
    press_until_focused(page, "link", "Add customer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add customer")).to_be_visible()
    press_until_focused(page, "textbox", "Organization name")
    page.keyboard.type("Adatum")
    page.keyboard.press("Tab")
    page.keyboard.type("not an email")
    page.evaluate("document.querySelector('form.add-customer').noValidate = true")
    page.keyboard.press("Tab")  # the SKU: a select moves by the arrow keys
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("SKU")).to_have_value(SKU)
    press_until_focused(page, "button", "Apply")
    page.keyboard.press("Enter")
    expect(page.locator("#notification_email-error")).to_be_visible()
    press_until_focused(page, "textbox", "Notification email")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("it@adatum.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("rowheader", name="Adatum")).to_be_visible()

    press_until_focused(page, "link", "Customers")
    page.keyboard.press("Enter")
    # the Actions menu over a ticked customer: every panel opens, and the upgrade is held
    for label in ACTIONS:
        press_until_focused(page, "checkbox", "Select Fabrikam <b>Ltd</b>")
        if not page.get_by_role("checkbox", name="Select Fabrikam <b>Ltd</b>").is_checked():
            page.keyboard.press("Space")
        press_until_focused(page, "button", "Actions")
        page.keyboard.press("Enter")
        press_until_focused(page, "button", label)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
        if label == "Manage subscription upgrade":
            press_until_focused(page, "button", "Hold the upgrade")
            page.keyboard.press("Enter")
            results = page.locator("#panel").get_by_role("status", name="Results")
            expect(results).to_contain_text("Automatic upgrade held")
        page.goto(page.url)  # the next round starts from the top of the page
    press_until_focused(page, "link", "Pending customers")
    page.keyboard.press("Enter")
    expect(page.get_by_role("rowheader", name="Contoso")).to_be_visible()
    press_until_focused(page, "button", "Copy activation link for Contoso")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Copy activation link for Contoso")).to_have_text(
        "Copied"
    )
    press_until_focused(page, "button", "Sign out")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
