"""The console's Customers page: its two tabs from the same list port as the JSON API,
search, the status filter, keyset paging both ways, and htmx fragments."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import World
from tests.e2e.console import PAGE, PENDING, activate, browser, link, msp, organizations, sign_in
from tests.support.world import MSP_NAME

__all__ = ["msp"]  # a fixture
FRAGMENT = {"HX-Request": "true", "HX-Target": "list"}


def test_the_page_has_the_two_tabs_a_search_box_and_a_status_filter(msp: World) -> None:
    page = msp.client.get(PAGE).text
    assert ">Customers</a>" in page
    assert ">Pending customers</a>" in page
    assert '<input id="q" type="search" name="q"' in page
    for status in ("TRIAL", "PRODUCTION", "EXPIRED"):
        assert f'<option value="{status}">{status}</option>' in page


def test_the_pending_tab_shows_a_new_customer_with_its_onboarding_columns(msp: World) -> None:
    msp.customer()
    page = msp.client.get(PENDING).text
    for column in (
        "Organization",
        "Notification email",
        "SKU",
        "Created",
        "Activation",
        "Import status",
        "Import errors",
        "Event log messages",
    ):
        assert f'<th scope="col">{column}</th>' in page
    assert organizations(page) == ["Contoso"]
    assert "it@contoso.example" in page
    assert "ESSENTIALS_MSP_2025" in page
    assert ">2026-01-05 09:00 UTC</time>" in page
    assert 'datetime="2026-01-05T09:00:00Z"' in page
    assert "not started" in page


def test_the_copy_button_comes_first_and_holds_the_owners_activation_link(
    msp: World,
) -> None:
    cid = msp.customer()["id"]
    url = msp.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()["url"]
    page = msp.client.get(PENDING).text
    row = page[page.index("<tbody>") :]
    assert row.index('class="copy"') < row.index('<th scope="row">')
    assert f'data-copy="{url}"' in page
    assert 'aria-label="Copy activation link for Contoso">Copy activation link</button>' in page


def test_only_the_owner_gets_the_copy_button(world: World) -> None:
    world.customer()
    distributor = browser(world)
    sign_in(distributor, world.keys["dist"])
    page = distributor.get(PENDING).text
    assert organizations(page) == ["Contoso"]
    assert "data-copy" not in page
    assert "/activate/" not in page


def test_import_errors_and_event_log_messages_show_in_the_pending_tab(msp: World) -> None:
    cid = msp.customer()["id"]
    activate(msp, cid)
    imports = f"/v1/customers/{cid}/import"
    for n in range(4):
        body = {"level": "info", "message": f"step {n} of the import"}
        assert msp.call("importer", "POST", f"{imports}/log", json=body).status_code == 200
    failure = {"code": "MAILBOX", "message": "<b>mailbox</b> not found"}
    assert msp.call("importer", "POST", f"{imports}/failures", json=failure).status_code == 200
    page = msp.client.get(PENDING).text
    assert "failed" in page
    assert "MAILBOX: &lt;b&gt;mailbox&lt;/b&gt; not found" in page
    assert "<b>mailbox</b>" not in page
    assert "info: step 0 of the import" not in page  # the latest three only
    for n in (1, 2, 3):
        assert f"info: step {n} of the import" in page


def test_an_onboarded_customer_is_in_the_customers_tab_with_its_columns(msp: World) -> None:
    cid = msp.customer()["id"]
    msp.onboard(cid)
    assert organizations(msp.client.get(PENDING).text) == []
    page = msp.client.get(PAGE).text
    for column in (
        "Organization",
        "Status",
        "SKU",
        "Add-ons",
        "Trial ends",
        "Expiration date",
        "Automatic upgrade",
        "Source",
        "Owner",
    ):
        assert f'<th scope="col">{column}</th>' in page
    assert organizations(page) == ["Contoso"]
    assert f'<input type="checkbox" name="customer" value="{cid}"' in page
    trial_ends = msp.call("msp", "GET", f"/v1/customers/{cid}").json()["trial_ends_at"]
    assert trial_ends.startswith("2026-01-19T09:00")
    assert ">2026-01-19 09:00 UTC</time>" in page
    for cell in ("<td>TRIAL</td>", "<td>On</td>", "<td>MSP</td>", f"<td>{MSP_NAME}</td>"):
        assert cell in page


def test_the_status_filter_and_the_search_narrow_the_customers(msp: World) -> None:
    for name in ("Contoso", "Fabrikam"):
        msp.onboard(msp.customer(organization_name=name)["id"])
        msp.clock.advance(timedelta(seconds=1))
    assert organizations(msp.client.get(f"{PAGE}?status=TRIAL").text) == ["Contoso", "Fabrikam"]
    assert organizations(msp.client.get(f"{PAGE}?status=EXPIRED").text) == []
    assert organizations(msp.client.get(f"{PAGE}?q=fabri").text) == ["Fabrikam"]


def test_the_search_finds_pending_customers_by_organization_name(msp: World) -> None:
    for name in ("Contoso", "Fabrikam"):
        msp.customer(organization_name=name)
    assert organizations(msp.client.get(f"{PENDING}&q=CONTO").text) == ["Contoso"]
    page = msp.client.get(f"{PENDING}&q=nobody").text
    assert "No pending customers match “nobody”." in page


def test_next_and_previous_page_through_the_list(msp: World) -> None:
    names = [f"Org {n}" for n in range(5)]
    for name in names:
        msp.customer(organization_name=name)
        msp.clock.advance(timedelta(seconds=1))
    page = msp.client.get(f"{PENDING}&limit=2").text
    assert organizations(page) == names[:2]
    assert link(page, "Previous") is None
    seen = [organizations(page)]
    while (following := link(page, "Next")) is not None:
        page = msp.client.get(following).text
        seen.append(organizations(page))
    assert seen == [names[:2], names[2:4], names[4:]]
    back = []
    while (previous := link(page, "Previous")) is not None:
        page = msp.client.get(previous).text
        back.append(organizations(page))
    assert back == [names[2:4], names[:2]]


def test_a_position_that_is_no_cursor_starts_the_list_again(msp: World) -> None:
    msp.customer()
    page = msp.client.get(f"{PENDING}&cursor=bm90LWEtY3Vyc29y")
    assert page.status_code == 200
    assert "That position in the list is not valid any more" in page.text
    assert organizations(page.text) == ["Contoso"]


def test_an_htmx_request_gets_the_list_fragment_and_the_pending_one_polls(
    msp: World,
) -> None:
    msp.customer()
    fragment = msp.client.get(PENDING, headers=FRAGMENT).text
    assert fragment.startswith('<section id="list"')
    assert "<html" not in fragment
    assert 'hx-trigger="every 5s"' in fragment
    assert f'hx-get="{PENDING}"' in fragment
    assert organizations(fragment) == ["Contoso"]
    customers = msp.client.get(PAGE, headers=FRAGMENT).text
    opening = customers.split(">", 1)[0]
    assert "every" not in opening  # the Customers tab does not poll
    assert 'hx-trigger="customers-changed from:body"' in opening  # it reloads after an action


def test_a_partner_sees_only_its_own_customers(world: World) -> None:
    world.customer()
    other = browser(world)
    sign_in(other, world.keys["other_msp"])
    assert organizations(other.get(PENDING).text) == []


def test_the_auditor_sees_every_customer_and_copies_no_link(world: World) -> None:
    world.customer()
    world.customer("other_msp", organization_name="Fabrikam")
    auditor = browser(world)
    sign_in(auditor, world.keys["auditor"])
    page = auditor.get(PENDING).text
    assert sorted(organizations(page)) == ["Contoso", "Fabrikam"]
    assert "data-copy" not in page
