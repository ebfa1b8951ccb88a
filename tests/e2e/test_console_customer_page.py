"""A customer's page: every field, the activation link with **Copy** for its owner
only, the **History** oldest first with who did what and when, and the auditor's
**As of** field showing the customer as it was then. Everything is escaped."""

from __future__ import annotations

import re
from html import unescape

from tests.e2e.conftest import World
from tests.e2e.console import PAGE, advance, browser, msp, sign_in
from tests.support.world import MSP_NAME

__all__ = ["msp"]  # a fixture
EVIL = "<script>alert(1)</script>"


def events(page: str) -> list[list[str]]:
    """The History table's rows: number, event, by, effective, recorded."""
    body = page[page.index('<table class="striped history">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_the_organization_name_links_to_the_customer_page(msp: World) -> None:
    cid = msp.customer()["id"]
    msp.onboard(cid)
    assert f'<a href="/console/customers/{cid}">Contoso</a>' in msp.client.get(PAGE).text


def test_the_page_shows_every_field_and_the_owner_copies_the_link(msp: World) -> None:
    cid = msp.customer()["id"]
    url = msp.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()["url"]
    page = msp.client.get(f"/console/customers/{cid}").text
    for field in (
        "Organization",
        "Notification email",
        "Status",
        "SKU",
        "Add-ons",
        "Source",
        "Owner",
        "Created",
        "Trial ends",
        "Automatic upgrade",
        "Expiration date",
        "Import status",
        "Import errors",
        "Event log messages",
    ):
        assert f'<th scope="row">{field}</th>' in page
    assert f"<td>{MSP_NAME}</td>" in page
    assert "it@contoso.example" in page
    assert f'data-copy="{url}"' in page
    assert ">Copy</button>" in page


def test_a_distributor_sees_the_customer_but_not_its_link(world: World) -> None:
    cid = world.customer()["id"]
    distributor = browser(world)
    sign_in(distributor, world.keys["dist"])
    page = distributor.get(f"/console/customers/{cid}")
    assert page.status_code == 200
    assert "data-copy" not in page.text
    assert "/activate/" not in page.text
    assert "Only the customer's owner copies its link" in page.text


def test_a_partner_that_may_not_see_the_customer_gets_not_found(world: World) -> None:
    cid = world.customer()["id"]
    other = browser(world)
    sign_in(other, world.keys["other_msp"])
    page = other.get(f"/console/customers/{cid}")
    assert page.status_code == 404
    assert "Contoso" not in page.text


def test_the_history_lists_every_event_oldest_first_with_who_and_when(msp: World) -> None:
    cid = msp.customer()["id"]
    msp.onboard(cid)
    msp.call("msp", "PUT", f"/v1/customers/{cid}/automatic-upgrade", json={"enabled": False})
    page = msp.client.get(f"/console/customers/{cid}").text
    history = msp.call("msp", "GET", f"/v1/customers/{cid}/history").json()["events"]
    rows = events(page)
    assert [row[1] for row in rows] == [event["type"] for event in history]
    assert [int(row[0]) for row in rows] == sorted(int(row[0]) for row in rows)
    assert rows[0][1:3] == ["Created", f"{MSP_NAME} (MSP)"]
    assert rows[-1][1:3] == ["UpgradeHeld", f"{MSP_NAME} (MSP)"]
    assert {"the customer", "the importer"} <= {row[2] for row in rows}
    assert rows[0][3] == rows[0][4] == "2026-01-05 09:00 UTC"


def test_an_auditor_sees_the_customer_as_it_was_then(world: World) -> None:
    cid = world.customer()["id"]
    world.onboard(cid)
    advance(world, signed_in=None, days=20)  # the trial ends: upgraded to production
    auditor = browser(world)
    sign_in(auditor, world.keys["auditor"])
    now = auditor.get(f"/console/customers/{cid}").text
    assert '<input id="as_of" name="as_of" type="datetime-local"' in now
    assert "<td>PRODUCTION</td>" in now
    then = auditor.get(f"/console/customers/{cid}", params={"as_of": "2026-01-10T09:00"}).text
    assert "<td>TRIAL</td>" in then
    assert "As it was at" in then
    assert ">2026-01-10 09:00 UTC</time>" in then
    assert 'value="2026-01-10T09:00"' in then
    assert "UpgradedToProduction" not in then
    assert "UpgradedToProduction" in now


def test_an_auditors_as_of_before_the_customer_existed_says_so(world: World) -> None:
    cid = world.customer()["id"]
    auditor = browser(world)
    sign_in(auditor, world.keys["auditor"])
    page = auditor.get(f"/console/customers/{cid}", params={"as_of": "2020-01-01T00:00"})
    assert page.status_code == 200
    assert 'role="alert"' in page.text
    assert "did not exist at" in page.text
    bad = auditor.get(f"/console/customers/{cid}", params={"as_of": "yesterday"})
    assert "give a date and time such as" in bad.text.lower()


def test_partners_get_no_as_of_field(msp: World) -> None:
    cid = msp.customer()["id"]
    page = msp.client.get(f"/console/customers/{cid}", params={"as_of": "2020-01-01T00:00"}).text
    assert 'name="as_of"' not in page
    assert "Contoso" in page


def test_a_script_named_organization_shows_as_text_on_the_page_and_in_the_panels(
    msp: World,
) -> None:
    cid = msp.customer(organization_name=EVIL)["id"]
    msp.onboard(cid)
    pages = [msp.client.get(f"/console/customers/{cid}").text]
    for action in ("extend-trial", "upgrade", "convert", "edit"):
        pages.append(
            msp.client.get(f"/console/customers/actions/{action}", params={"customer": cid}).text
        )
    for page in pages:
        assert EVIL not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_erased_customer_s_page_says_erased_and_shows_no_address(msp: World) -> None:
    address = "erased-on-the-page@console.example"
    cid = msp.customer(notification_email=address)["id"]
    msp.onboard(cid)
    assert address in msp.client.get(f"/console/customers/{cid}").text

    erased = msp.call("msp", "POST", f"/v1/customers/{cid}/erasure", json={"reason": "asked"})
    assert erased.status_code == 200, erased.text

    page = msp.client.get(f"/console/customers/{cid}").text
    assert address not in page
    assert "<em>erased</em>" in page
    assert [row[1] for row in events(page)][-1:] == ["PersonalDataErased"]
    assert address not in msp.client.get(PAGE).text
