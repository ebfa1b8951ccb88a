"""The Customers tab's **Actions** menu and its **+ Extend trial** panel: the trial's
end and the new end, **Apply** enabled only inside the window (else disabled with
**Available from**), a distributor refused, several customers each on its own, and
refusals (stale version, no CSRF token) shown as readable text."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from tests.e2e.conftest import World
from tests.e2e.console import (
    ACTIONS,
    HTMX,
    PAGE,
    advance,
    browser,
    csrf_of,
    msp,
    panel,
    sign_in,
    targets_of,
)

__all__ = ["msp"]  # a fixture
EXTEND = f"{ACTIONS}/extend-trial"
APPLY_ENABLED = '<button type="submit">Apply</button>'
APPLY_DISABLED = '<button type="submit" disabled class="secondary">Apply</button>'


def onboarded(world: World, name: str = "Contoso") -> str:
    cid = str(world.customer(organization_name=name)["id"])
    world.onboard(cid)
    return cid


def test_the_customers_tab_has_a_checkbox_per_row_and_the_actions_menu(msp: World) -> None:
    cid = onboarded(msp)
    page = msp.client.get(PAGE).text
    assert f'<input type="checkbox" name="customer" value="{cid}"' in page
    assert ">Actions</summary>" in page
    for label in (
        "+ Extend trial",
        "Manage subscription upgrade",
        "Convert to production account",
        "Edit SKUs and expiration dates",
    ):
        assert f">{label}</button>" in page
    assert 'hx-include="#list input[name=customer]"' in page
    assert '<section id="panel"' in page


def test_before_the_window_apply_is_disabled_and_says_from_when(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "extend-trial", cid)
    assert page.startswith('<section id="panel"')
    assert 'readonly rows="2"' in page
    assert ">2026-01-19 09:00 UTC\n→ 2026-01-26 09:00 UTC</textarea>" in unescape(page)
    assert APPLY_DISABLED in page
    available = msp.call("msp", "GET", f"/v1/customers/{cid}").json()["actions"]["extend_trial"]
    assert available["available_from"].startswith("2026-01-16T09:00")
    assert "Available from" in page
    assert 'datetime="2026-01-16T09:00:00Z">2026-01-16 09:00 UTC</time>' in page


def test_inside_the_window_apply_is_primary_and_extends_the_trial(msp: World) -> None:
    cid = onboarded(msp)
    advance(msp, days=11)
    page = panel(msp.client, "extend-trial", cid)
    assert APPLY_ENABLED in page
    assert "Available from" not in page
    applied = msp.client.post(
        EXTEND, data={"csrf_token": csrf_of(page), "target": targets_of(page)}, headers=HTMX
    )
    assert applied.status_code == 200
    assert applied.headers["HX-Trigger"] == "customers-changed"
    assert "<strong>Contoso</strong>: Trial extended: it now ends at 2026-01-26 09:00 UTC." in (
        applied.text
    )
    trial = msp.call("msp", "GET", f"/v1/customers/{cid}").json()["trial_ends_at"]
    assert trial.startswith("2026-01-26T09:00")


def test_a_distributor_sees_its_msps_customer_with_apply_disabled_and_why(world: World) -> None:
    cid = onboarded(world)
    advance(world, days=11)
    distributor = browser(world)
    sign_in(distributor, world.keys["dist"])
    page = panel(distributor, "extend-trial", cid)
    assert APPLY_DISABLED in page
    assert "A distributor may never extend the trials of its MSPs&#39; customers." in page
    refused = distributor.post(
        EXTEND, data={"csrf_token": csrf_of(page), "target": targets_of(page)}, headers=HTMX
    )
    assert refused.status_code == 200
    assert "HX-Trigger" not in refused.headers
    assert "may never extend" in refused.text
    trial = world.call("msp", "GET", f"/v1/customers/{cid}").json()["trial_ends_at"]
    assert trial.startswith("2026-01-19T09:00")


def test_several_customers_each_get_a_line_granted_or_refused(msp: World) -> None:
    early = onboarded(msp, "Contoso")
    msp.clock.advance(timedelta(days=5))
    late = onboarded(msp, "Fabrikam")
    advance(msp, days=7)  # 2026-01-17: Contoso's window is open, Fabrikam's not yet
    page = panel(msp.client, "extend-trial", early, late)
    assert APPLY_ENABLED in page  # one of them may be extended now
    assert page.count("Available from") == 1
    before = msp.call("msp", "GET", f"/v1/customers/{late}").json()
    applied = msp.client.post(
        EXTEND, data={"csrf_token": csrf_of(page), "target": targets_of(page)}, headers=HTMX
    ).text
    assert "<strong>Contoso</strong>: Trial extended: it now ends at 2026-01-26 09:00 UTC." in (
        applied
    )
    assert "<strong>Fabrikam</strong>: The trial can be extended only in its last days;" in (
        applied
    )
    after = msp.call("msp", "GET", f"/v1/customers/{late}").json()
    assert after["version"] == before["version"]  # the refused one is untouched
    assert after["trial_ends_at"] == before["trial_ends_at"]


def test_a_stale_version_is_refused_with_a_readable_message(msp: World) -> None:
    cid = onboarded(msp)
    advance(msp, days=11)
    page = panel(msp.client, "extend-trial", cid)
    held = msp.call("msp", "PUT", f"/v1/customers/{cid}/automatic-upgrade", json={"enabled": False})
    assert held.status_code == 200  # another tab changed the customer meanwhile
    applied = msp.client.post(
        EXTEND, data={"csrf_token": csrf_of(page), "target": targets_of(page)}, headers=HTMX
    )
    assert applied.status_code == 200
    assert "This customer was changed since the panel was opened" in applied.text
    assert targets_of(applied.text) != targets_of(page)  # the panel shows it as it is now
    trial = msp.call("msp", "GET", f"/v1/customers/{cid}").json()["trial_ends_at"]
    assert trial.startswith("2026-01-19T09:00")


def test_a_plain_form_post_gets_the_page_with_the_refusals_status(msp: World) -> None:
    cid = onboarded(msp)
    page = panel(msp.client, "extend-trial", cid, htmx=False)
    assert "<html" in page
    refused = msp.client.post(
        EXTEND, data={"csrf_token": csrf_of(page), "target": targets_of(page)}
    )
    assert refused.status_code == 409
    assert "<html" in refused.text
    assert "The trial can be extended only in its last days" in refused.text


def test_apply_without_the_csrf_token_is_refused(msp: World) -> None:
    cid = onboarded(msp)
    advance(msp, days=11)
    page = panel(msp.client, "extend-trial", cid)
    refused = msp.client.post(EXTEND, data={"target": targets_of(page)}, headers=HTMX)
    assert refused.status_code == 403
    trial = msp.call("msp", "GET", f"/v1/customers/{cid}").json()["trial_ends_at"]
    assert trial.startswith("2026-01-19T09:00")


def test_a_panel_with_nothing_ticked_says_to_tick_customers(msp: World) -> None:
    page = panel(msp.client, "extend-trial")
    assert "Select one or more customers in the list first" in page
    assert "Apply" not in page
