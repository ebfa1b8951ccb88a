"""The Actions menu's other panels: **Manage subscription upgrade** (hold, release, the
upgrade date and the notice email), **Convert to production account** (MSP customers
of an MSP in production only) and **Edit SKUs and expiration dates**."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import World
from tests.e2e.console import (
    ACTIONS,
    HTMX,
    advance,
    browser,
    csrf_of,
    msp,
    panel,
    sign_in,
    targets_of,
)
from tests.support.events import PROFESSIONAL
from tests.support.principals import ADMIN_TOKEN, bearer

__all__ = ["msp"]  # a fixture
APPLY_DISABLED = '<button type="submit" disabled class="secondary"'


def onboarded(world: World, who: str = "msp", name: str = "Contoso") -> str:
    cid = str(world.customer(who, organization_name=name)["id"])
    world.onboard(cid) if who == "msp" else onboard_as(world, who, cid)
    return cid


def onboard_as(world: World, who: str, cid: str) -> None:
    link = world.call(who, "GET", f"/v1/customers/{cid}/activation-link").json()["url"]
    assert world.client.post(link.split("testserver", 1)[-1]).status_code == 200
    done = world.call("importer", "POST", f"/v1/customers/{cid}/import/completion")
    assert done.status_code == 200, done.text


def read(world: World, cid: str, who: str = "msp") -> dict[str, Any]:
    result: dict[str, Any] = world.call(who, "GET", f"/v1/customers/{cid}").json()
    return result


def post(world: World, action: str, page: str, **fields: Any) -> Any:
    data = {"csrf_token": csrf_of(page), "target": targets_of(page)[:1], **fields}
    return world.client.post(f"{ACTIONS}/{action}", data=data, headers=HTMX)


# ------------------------------------------------------------ Manage subscription upgrade
def test_the_upgrade_panel_shows_the_upgrade_date_and_that_no_notice_went_out(
    msp: World,
) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "upgrade", cid)
    assert "<td>On</td>" in page
    assert 'upgrades at <time datetime="2026-01-19T09:00:00Z">2026-01-19 09:00 UTC</time>' in page
    assert "not sent yet (due at" in page
    assert ">2026-01-16 09:00 UTC</time>)" in page
    assert ">Hold the upgrade</button>" in page


def test_hold_then_release_the_automatic_upgrade(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "upgrade", cid)
    held = post(msp, "upgrade", page, enabled="false")
    assert "Automatic upgrade held: the trial expires at 2026-01-19 09:00 UTC instead." in held.text
    assert read(msp, cid)["automatic_upgrade"] is False
    assert "<td>Held" in held.text
    assert 'expires at <time datetime="2026-01-19T09:00:00Z">' in held.text
    released = post(msp, "upgrade", held.text, enabled="true")
    assert "Automatic upgrade released: it upgrades to production at 2026-01-19" in released.text
    assert read(msp, cid)["automatic_upgrade"] is True


def test_the_panel_says_when_the_notice_email_went_out(msp: World) -> None:
    cid = onboarded(msp)
    advance(msp, days=11, hours=1)
    sent = read(msp, cid)["upgrade_notice_sent_at"]
    assert sent is not None
    page = panel(msp.client, "upgrade", cid)
    assert f'sent at <time datetime="{sent.replace("+00:00", "Z")}' in page


def test_a_distributor_may_not_hold_the_upgrade(world: World) -> None:
    cid = onboarded(world)
    distributor = browser(world)
    sign_in(distributor, world.keys["dist"])
    page = panel(distributor, "upgrade", cid)
    assert '<button type="submit" name="enabled" value="false" disabled' in page
    assert "A distributor has read-only access to its MSPs&#39; customers" in page


# ------------------------------------------------------------ Convert to production account
def test_the_convert_panel_is_prefilled_and_converts(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "convert", cid)
    assert f'id="expiration-{cid}" name="expiration_date" type="date" required' in page
    assert 'value="2027-01-05"' in page  # a year from today
    assert '<option value="ESSENTIALS_MSP_2025" selected>' in page
    assert ">Expiration date</label>" in page
    converted = post(
        msp,
        "convert",
        page,
        customer=[cid],
        expiration_date="2027-03-31",
        sku=PROFESSIONAL,
        addons=["AUDIT"],
    )
    assert "Converted to production: the subscription expires on 2027-03-31 (UTC)." in (
        converted.text
    )
    assert converted.headers["HX-Trigger"] == "customers-changed"
    customer = read(msp, cid)
    assert (customer["status"], customer["expiration_date"]) == ("PRODUCTION", "2027-03-31")
    assert (customer["sku"], customer["addons"]) == (PROFESSIONAL, ["AUDIT"])


def test_a_past_expiration_date_is_refused_next_to_the_customer(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "convert", cid)
    refused = post(msp, "convert", page, customer=[cid], expiration_date="2025-12-31", sku="")
    assert refused.status_code == 200
    assert "<strong>Contoso</strong>: Expiration date: must be after today (2026-01-05)." in (
        refused.text
    )
    assert read(msp, cid)["status"] == "TRIAL"


def test_an_msp_in_trial_reads_that_it_must_be_in_production_first(world: World) -> None:
    made = world.client.post(
        "/v1/partners", json={"name": "Trial MSP", "kind": "msp"}, headers=bearer(ADMIN_TOKEN)
    ).json()
    world.keys["trial_msp"] = made["api_key"]
    cid = onboarded(world, "trial_msp")
    client = browser(world)
    sign_in(client, world.keys["trial_msp"])
    page = panel(client, "convert", cid)
    assert APPLY_DISABLED in page
    assert "it must be in production first" in page
    assert "<fieldset disabled>" in page


def test_a_direct_customer_cannot_be_converted_and_says_why(world: World) -> None:
    body = {
        "organization_name": "Direct Co",
        "notification_email": "it@direct.example",
        "sku": "ESSENTIALS_MSP_2025",
        "source": "DIRECT",
        "partner_id": world.ids["msp"],
    }
    made = world.call("admin", "POST", "/v1/customers", json=body)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    world.onboard(cid)
    sign_in(world.client, world.keys["msp"])
    page = panel(world.client, "convert", cid)
    assert APPLY_DISABLED in page
    assert "Only customers whose source is MSP can be converted (this one is DIRECT)." in page


# ------------------------------------------------------------ Edit SKUs and expiration dates
def test_a_trial_customers_sku_and_addons_are_edited_without_an_expiration_date(
    msp: World,
) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "edit", cid)
    assert "Expiration date" not in page
    saved = post(
        msp, "edit", page, customer=[cid], sku=PROFESSIONAL, addons=["AUDIT", "DELEGATION"]
    )
    assert "Subscription saved: SKU PROFESSIONAL_MSP_2025, add-ons AUDIT, DELEGATION." in saved.text
    customer = read(msp, cid)
    assert customer["sku"] == PROFESSIONAL
    assert sorted(customer["addons"]) == ["AUDIT", "DELEGATION"]


def test_a_production_customers_expiration_date_is_edited(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "convert", cid)
    post(msp, "convert", page, customer=[cid], expiration_date="2027-03-31", sku="")
    page = panel(msp.client, "edit", cid)
    assert f'id="expiration-{cid}"' in page
    assert 'value="2027-03-31"' in page
    saved = post(
        msp, "edit", page, customer=[cid], sku="ESSENTIALS_MSP_2025", expiration_date="2027-06-30"
    )
    assert "expires on 2027-06-30 (UTC)." in saved.text
    assert read(msp, cid)["expiration_date"] == "2027-06-30"


def test_an_edit_from_a_stale_panel_is_refused_and_nothing_changes(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "edit", cid)
    post(msp, "edit", page, customer=[cid], sku=PROFESSIONAL)
    again = post(msp, "edit", page, customer=[cid], sku="ESSENTIALS_MSP_2025")
    assert "This customer was changed since the panel was opened" in again.text
    assert read(msp, cid)["sku"] == PROFESSIONAL


def test_a_plain_form_post_of_an_invalid_date_answers_422(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "convert", cid)
    data = {
        "csrf_token": csrf_of(page),
        "target": targets_of(page),
        "customer": [cid],
        "expiration_date": "31/03/2027",
    }
    refused = msp.client.post(f"{ACTIONS}/convert", data=data)
    assert refused.status_code == 422
    assert "give a date such as 2027-01-31" in refused.text


def test_a_distributor_edits_nothing_and_reads_why(world: World) -> None:
    cid = onboarded(world)
    distributor = browser(world)
    sign_in(distributor, world.keys["dist"])
    page = panel(distributor, "edit", cid)
    assert APPLY_DISABLED in page
    assert "read-only access to its MSPs&#39; customers: cannot change the subscription." in page


def test_with_two_customers_ticked_each_gets_its_own_form_and_one_apply_leaves_the_other(
    msp: World,
) -> None:
    first = onboarded(msp, name="Contoso")
    second = onboarded(msp, name="Fabrikam")
    page = panel(msp.client, "convert", first, second)
    assert page.count(">Apply</button>") == 2
    assert targets_of(page) == [
        f"{first}:{read(msp, first)['version']}",
        f"{second}:{read(msp, second)['version']}",
    ]
    converted = post(
        msp, "convert", page, customer=[first, second], expiration_date="2027-03-31", sku=""
    )
    assert "<strong>Contoso</strong>: Converted to production" in converted.text
    assert "Fabrikam" in converted.text  # still in the panel, to convert next
    assert converted.text.count(">Apply</button>") == 2
    assert read(msp, first)["status"] == "PRODUCTION"
    assert read(msp, second)["status"] == "TRIAL"


def test_the_primary_upgrade_button_is_the_one_that_changes_something(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "upgrade", cid)
    assert '<button type="submit" name="enabled" value="false">Hold the upgrade' in page
    held = post(msp, "upgrade", page, enabled="false").text
    assert '<button type="submit" name="enabled" value="true">Release the upgrade' in held
