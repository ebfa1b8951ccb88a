"""People in a real headless Chromium against a real ``tenantry serve`` (SQLite and
PostgreSQL): the admin invites a person, who signs in from the emailed link, invites a
colleague on the **Users** page, changes their role, removes them, signs out and signs
in again with **Email me a sign-in link**. Screenshots at 1280 px and 390 px."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import (
    Api,
    browser,
    context,
    server_on_sqlite,
    shoot,
    watched,
)
from tests.support.live import ADMIN_TOKEN
from tests.support.outbox import last_sign_in_link, sign_in_links
from tests.support.server import Server

__all__ = ["browser", "context", "server_on_sqlite"]  # fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]
ADA = "ada@lovelace.example"
GRACE = "grace@lovelace.example"


def confirm(page: Page, link: str, person: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Sign in as {person}")).to_be_visible()


def test_a_person_signs_in_from_the_emailed_link_and_manages_the_users(
    server: Server,
    context: BrowserContext,
) -> None:
    api = Api(server)
    outbox: Path = server.workdir / "outbox"
    partner = api.call(
        ADMIN_TOKEN,
        "POST",
        "/v1/partners",
        json={"name": "Lovelace MSP", "kind": "msp", "status": "production"},
    )
    body = {"email": ADA, "name": "Ada Lovelace", "role": "admin"}
    api.call(ADMIN_TOKEN, "POST", f"/v1/partners/{partner['id']}/users", json=body)
    link = last_sign_in_link(outbox, ADA, timeout=10)
    assert urlsplit(link).netloc == urlsplit(server.url).netloc

    page = context.new_page()
    problems = watched(page, [])
    confirm(page, link, f"Ada Lovelace ({ADA})")
    expect(page.get_by_text("you were invited")).to_be_visible()
    shoot(page, "sign-in-link")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    expect(
        page.get_by_text(f"Signed in as Ada Lovelace ({ADA}), Lovelace MSP (MSP)")
    ).to_be_visible()

    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    page.get_by_label("Email").fill(GRACE)
    page.get_by_label("Name").fill("Grace Hopper")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("The invitation is on its way")).to_be_visible()
    grace = page.get_by_role("row", name="Grace Hopper")
    expect(grace).to_contain_text("member")
    expect(grace).to_contain_text("invited")
    assert len(sign_in_links(outbox, GRACE)) == 1
    shoot(page, "users")

    page.get_by_label(f"Role of {GRACE}", exact=True).select_option("admin")
    page.get_by_role("button", name=f"Change role of {GRACE}").click()
    expect(page.get_by_text("The role was changed.")).to_be_visible()
    expect(page.get_by_role("row", name="Grace Hopper")).to_contain_text("admin")
    page.get_by_role("button", name=f"Remove {GRACE}").click()
    expect(page.get_by_text("The user was removed")).to_be_visible()
    expect(page.get_by_role("row", name="Grace Hopper")).to_contain_text("removed")
    confirm_gone = context.new_page()
    confirm_gone.goto(last_sign_in_link(outbox, GRACE))
    expect(
        confirm_gone.get_by_role("heading", name="This sign-in link does not work any more")
    ).to_be_visible()
    confirm_gone.close()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.get_by_label("Email address").fill(ADA)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator("#link-note")).to_contain_text("a sign-in link is on its way")
    shoot(page, "sign-in-email")
    again = last_sign_in_link(outbox, ADA, timeout=10)
    assert again != link
    confirm(page, again, f"Ada Lovelace ({ADA})")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as Ada Lovelace ({ADA})")).to_be_visible()
    assert problems == []
