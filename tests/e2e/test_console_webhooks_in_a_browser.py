"""The Webhooks page in a real Chromium against ``tenantry serve`` on SQLite, with a real
receiver on a loopback port that verifies every delivery with ``standardwebhooks``: a
partner adds an endpoint (after a refused URL), copies its signing secret from the page
(read from the clipboard), a customer is added, the delivery arrives and the page shows
its status code and timing, **Redeliver** sends it again with the same ``webhook-id``.
Screenshots at 1280 and 390 px go to ``var/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import Api, browser, context, shoot, sign_in, watched
from tests.support.live import ADMIN_TOKEN, live_server
from tests.support.receiver import Receiver
from tests.support.server import Server

__all__ = ["browser", "context", "server"]  # fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``tenantry serve`` on SQLite that may send to the receiver's http:// loopback URL."""
    home = tmp_path_factory.mktemp("console-webhooks")
    with live_server(home, TENANTRY_WEBHOOKS_ALLOW_INSECURE="1") as running:
        yield running


def status_code_shown(page: Page, code: str, times: int = 1) -> None:
    """Reload the endpoint's page until ``times`` deliveries show ``code``."""
    cells = page.locator("td.status-code", has_text=code)
    for _ in range(100):
        if cells.count() >= times:
            return
        page.wait_for_timeout(200)
        page.reload()
    expect(cells).to_have_count(times)


def test_a_partner_adds_an_endpoint_sees_its_delivery_and_redelivers_it(
    server: Server, context: BrowserContext, receiver: Receiver
) -> None:
    api = Api(server)
    msp = api.call(
        ADMIN_TOKEN,
        "POST",
        "/v1/partners",
        json={"name": "Northwind", "kind": "msp", "status": "production"},
    )
    problems: list[str] = []
    page = context.new_page()
    watched(page, problems)
    sign_in(page, server, msp["api_key"])
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    shoot(page, "webhooks-empty")

    page.get_by_label("URL").fill("ftp://example.com/hooks")
    page.get_by_label("Description").fill("<script>alert(1)</script> billing")
    page.evaluate("document.querySelector('form.add-endpoint').noValidate = true")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#url-error")).to_contain_text("https://")
    shoot(page, "webhooks-refused-url")

    page.get_by_label("URL").fill(receiver.url)
    page.get_by_role("checkbox", name="customer.created").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="Endpoint added: its signing secret")).to_be_visible()
    page.get_by_role("button", name="Copy signing secret").click()
    secret = page.evaluate("navigator.clipboard.readText()")
    assert secret.startswith("whsec_")
    assert secret == page.locator("#secret-value").inner_text()
    receiver.secrets = [secret]
    shoot(page, "webhooks-secret-shown")
    row = page.get_by_role("row", name=receiver.url)
    expect(row).to_contain_text("<script>alert(1)</script> billing")  # as text
    expect(row).to_contain_text("customer.created")
    expect(row).to_contain_text("enabled")

    api.customer(msp["api_key"], "Fabrikam")
    [first] = receiver.wait_for(1)
    assert first.type == "customer.created"
    page.get_by_role("button", name=f"Deliveries to {receiver.url}").click()
    expect(page.get_by_role("heading", name="Last deliveries")).to_be_visible()
    status_code_shown(page, "200")
    delivery = page.locator("tr", has_text=first.id)
    expect(delivery).to_contain_text(" ms")
    expect(delivery).to_contain_text("delivered")
    shoot(page, "webhooks-delivery")

    receiver.status = 202
    page.get_by_role("button", name=f"Redeliver customer.created {first.id}").click()
    expect(page.get_by_role("status")).to_contain_text("queued again")
    again = receiver.wait_for(2)
    assert [r.id for r in again] == [first.id, first.id]  # the same webhook-id
    status_code_shown(page, "202")
    expect(page.locator("tr", has_text=first.id)).to_contain_text("202")
    shoot(page, "webhooks-redelivered")
    assert problems == []


def press(page: Page, name: str, role: str = "button") -> None:
    """Reach ``name`` by focus and press Enter on it, as a keyboard user would."""
    target = page.get_by_role(role, name=name)  # type: ignore[arg-type]
    target.focus()
    expect(target).to_be_focused()
    page.keyboard.press("Enter")


def test_a_partner_retires_a_rotated_secret_and_edits_an_endpoint_from_the_keyboard(
    server: Server, context: BrowserContext, receiver: Receiver
) -> None:
    api = Api(server)
    msp = api.call(
        ADMIN_TOKEN,
        "POST",
        "/v1/partners",
        json={"name": "Tailspin", "kind": "msp", "status": "production"},
    )
    key = msp["api_key"]
    body = {"url": receiver.url, "event_types": ["customer.created"], "description": "CRM"}
    endpoint = api.call(key, "POST", "/v1/webhook-endpoints", json=body)
    moved = Receiver(path="/v2").start()
    problems: list[str] = []
    try:
        page = context.new_page()
        watched(page, problems)
        sign_in(page, server, key)
        page.get_by_role("link", name="Webhooks").click()

        # Rotate: both secrets sign until the previous one is retired.
        press(page, f"Rotate secret of {receiver.url}")
        expect(page.get_by_role("heading", name="The new signing secret")).to_be_visible()
        newest = page.locator("#secret-value").inner_text()
        receiver.secrets = [endpoint["secret"], newest]
        page.goto(f"{server.url}/console/webhooks")
        expect(page.get_by_role("row", name=receiver.url)).to_contain_text(
            "previous secret signs until"
        )
        shoot(page, "webhooks-rotated")
        api.customer(key, "Contoso")
        [both] = receiver.wait_for(1)
        assert both.verified_by == (0, 1)
        press(page, f"Retire previous secret of {receiver.url}")
        expect(page.get_by_role("status")).to_contain_text("previous secret was retired")
        expect(page.get_by_role("button", name="Retire previous secret of")).to_have_count(0)
        shoot(page, "webhooks-retired")
        api.customer(key, "Fabrikam")
        got = receiver.wait_for(2)
        assert got[1].verified_by == (1,)  # the newest secret only

        # Edit: a refused URL first, then every field.
        press(page, f"Edit {receiver.url}")
        expect(page.get_by_role("heading", name="Edit a webhook endpoint")).to_be_visible()
        expect(page.get_by_role("checkbox", name="customer.created")).to_be_checked()
        shoot(page, "webhooks-edit")
        page.get_by_label("URL").fill("ftp://example.com/hooks")
        page.evaluate("document.querySelector('form.edit-endpoint').noValidate = true")
        press(page, "Save endpoint")
        expect(page.locator("#url-error")).to_contain_text("https://")
        expect(page.get_by_label("URL")).to_have_attribute("aria-invalid", "true")
        shoot(page, "webhooks-edit-refused")
        page.get_by_label("URL").fill(moved.url)
        page.keyboard.press("Tab")  # the first event type comes next
        expect(page.get_by_role("checkbox", name="customer.created")).to_be_focused()
        page.get_by_role("checkbox", name="customer.onboarded").focus()
        page.keyboard.press("Space")
        page.get_by_label("Description").fill("<i>CRM</i> v2")
        press(page, "Save endpoint")
        expect(page.get_by_role("status")).to_contain_text("The endpoint was saved.")
        fields = page.get_by_role("region", name="The endpoint")
        expect(fields).to_contain_text(moved.url)
        expect(fields).to_contain_text("customer.created, customer.onboarded")
        expect(fields).to_contain_text("<i>CRM</i> v2")  # as text
        shoot(page, "webhooks-edited")
        moved.secrets = [newest]
        api.customer(key, "Northwind Traders")
        [arrived] = moved.wait_for(1)
        assert arrived.message["data"]["organization_name"] == "Northwind Traders"
        assert len(receiver.received) == 2  # nothing more to the old URL

        # Disabled from the form, then enabled again.
        press(page, "Edit endpoint")
        page.get_by_role("checkbox", name="Disabled").check()
        press(page, "Save endpoint")
        expect(page.get_by_role("region", name="The endpoint")).to_contain_text("disabled")
        one = api.call(key, "GET", f"/v1/webhook-endpoints/{endpoint['id']}")
        assert (one["disabled"], one["description"]) == (True, "<i>CRM</i> v2")
        press(page, "Edit endpoint")
        expect(page.get_by_role("checkbox", name="Disabled")).to_be_checked()
        page.get_by_role("checkbox", name="Disabled").uncheck()
        press(page, "Save endpoint")
        expect(page.get_by_role("region", name="The endpoint")).to_contain_text("enabled")
        assert problems == []
    finally:
        moved.stop()
