"""The Actions menu in a real headless Chromium against a real ``tenantry serve`` with
the test clock, on SQLite and on PostgreSQL: **+ Extend trial** disabled with
**Available from** and its date, the clock moved into the window, the trial extended,
the upgrade held, the customer converted to production, its page and History.
Screenshots of each panel at 1280 px and 390 px go to ``var/screenshots/``."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.browser import (
    Api,
    browser,
    context,
    instant,
    open_action,
    server_on_sqlite,
    shoot,
    sign_in,
    utc,
    watched,
)
from tests.support.live import ADMIN_TOKEN
from tests.support.server import Server

__all__ = ["browser", "context", "server_on_sqlite"]  # fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
WINDOW_OPEN_DAYS = 11  # a 14-day trial may be extended in its last 3 days
EXTENSION = timedelta(days=7)


def test_extend_hold_and_convert_through_the_actions_menu(
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
    cid = api.customer(msp, "Fabrikam")
    link = api.call(msp, "GET", f"/v1/customers/{cid}/activation-link")["url"]
    assert api.client.post(urlsplit(link).path).status_code == 200
    api.call(importer, "POST", f"/v1/customers/{cid}/import/completion")
    customer = api.call(msp, "GET", f"/v1/customers/{cid}")
    opens = customer["actions"]["extend_trial"]["available_from"]

    page = context.new_page()
    problems = watched(page, [])
    sign_in(page, server, msp)
    shoot(page, "actions-menu-closed")

    open_action(page, "Fabrikam", "+ Extend trial")
    panel = page.locator("#panel")
    apply = panel.get_by_role("button", name="Apply")
    expect(apply).to_be_disabled()
    expect(panel.get_by_text("Available from")).to_contain_text(utc(opens))
    ends = customer["trial_ends_at"]
    after = f"{instant(ends) + EXTENSION:%Y-%m-%d %H:%M} UTC"
    expect(panel.get_by_role("textbox")).to_have_value(f"{utc(ends)}\n→ {after}")
    shoot(page, "extend-trial-disabled")

    api.call(ADMIN_TOKEN, "POST", "/v1/test-clock/advance", json={"days": WINDOW_OPEN_DAYS})
    sign_in(page, server, msp)  # the session aged with the clock
    open_action(page, "Fabrikam", "+ Extend trial")
    expect(apply).to_be_enabled()
    expect(panel.get_by_text("Available from")).to_have_count(0)
    shoot(page, "extend-trial-enabled")
    apply.click()
    expect(panel.get_by_role("status", name="Results")).to_contain_text(
        f"Fabrikam: Trial extended: it now ends at {after}."
    )
    assert utc(api.call(msp, "GET", f"/v1/customers/{cid}")["trial_ends_at"]) == after
    shoot(page, "extend-trial-granted")

    open_action(page, "Fabrikam", "Manage subscription upgrade")
    expect(panel.get_by_role("cell", name="On", exact=True)).to_be_visible()
    expect(panel).to_contain_text(f"upgrades at {after}")
    shoot(page, "manage-upgrade")
    panel.get_by_role("button", name="Hold the upgrade").click()
    expect(panel.get_by_role("status", name="Results")).to_contain_text("Automatic upgrade held")
    expect(
        page.locator("#list").get_by_role("row", name="Fabrikam").get_by_role("cell", name="Held")
    ).to_be_visible()
    shoot(page, "manage-upgrade-held")
    assert api.call(msp, "GET", f"/v1/customers/{cid}")["automatic_upgrade"] is False

    open_action(page, "Fabrikam", "Convert to production account")
    expiration = panel.get_by_label("Expiration date")
    expect(expiration).not_to_have_value("")
    expect(panel.get_by_label("SKU")).to_have_value("ESSENTIALS_MSP_2025")
    shoot(page, "convert")
    panel.get_by_label("Audit").check()
    panel.get_by_role("button", name="Apply").click()
    expect(panel.get_by_role("status", name="Results")).to_contain_text("Converted to production")
    expect(
        page.locator("#list")
        .get_by_role("row", name="Fabrikam")
        .get_by_role("cell", name="PRODUCTION")
    ).to_be_visible()
    shoot(page, "convert-granted")
    converted = api.call(msp, "GET", f"/v1/customers/{cid}")
    assert (converted["status"], converted["addons"]) == ("PRODUCTION", ["AUDIT"])

    open_action(page, "Fabrikam", "Edit SKUs and expiration dates")
    expect(panel.get_by_label("Expiration date")).to_have_value(converted["expiration_date"])
    shoot(page, "edit-subscription")

    page.get_by_role("link", name="Fabrikam").click()
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    expect(page.get_by_role("cell", name="ConvertedToProduction")).to_be_visible()
    shoot(page, "customer-page")
    assert problems == []
