"""The console's Partners page: a distributor's MSPs with their status and number of
customers, each linking to the Customers page filtered by that MSP."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.console import PAGE, browser, link, organizations, sign_in
from tests.support.world import MSP_NAME, OTHER_MSP_NAME

PARTNERS = "/console/partners"


def test_a_distributor_sees_its_msps_with_status_and_customers(world: World) -> None:
    # Given a customer of the distributor's MSP
    world.customer()
    # When the distributor opens the Partners page
    sign_in(world.client, world.keys["dist"])
    page = world.client.get(PARTNERS)
    # Then it lists its MSP alone, in production, with one customer
    assert page.status_code == 200
    assert 'href="/console/partners">Partners</a>' in page.text
    assert "<h1>Your MSPs</h1>" in page.text
    assert page.text.count('<th scope="row">') == 1
    assert f">{MSP_NAME}</a></th>" in page.text
    assert "<td>production</td>" in page.text
    assert "<td>1</td>" in page.text


def test_an_msp_links_to_the_customers_it_owns(world: World) -> None:
    # Given customers of two MSPs, one under the distributor, onboarded
    mine = world.customer(organization_name="Fabrikam")
    world.onboard(mine["id"])
    other = world.customer("other_msp", organization_name="Litware")
    sign_in(world.client, world.keys["admin"])
    # When the admin follows the MSP's link on the Partners page
    partners = world.client.get(PARTNERS).text
    href = link(partners, MSP_NAME)
    assert href is not None
    customers = world.client.get(href).text
    # Then the Customers page shows that MSP's customers only, and says whose they are
    assert organizations(customers) == ["Fabrikam"]
    assert f"Customers of <strong>{MSP_NAME}</strong>" in customers
    # And its Pending tab keeps the filter
    pending = world.client.get(link(customers, "Pending customers") or "").text
    assert "Litware" not in pending
    assert other["id"] not in pending


def test_an_msp_has_no_partners_page_and_no_link_to_one(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    assert 'href="/console/partners"' not in world.client.get(PAGE).text
    answer = world.client.get(PARTNERS)
    assert answer.status_code == 403
    assert "for distributors" in answer.text


def test_a_filter_by_a_partner_the_viewer_may_not_see_names_no_one(world: World) -> None:
    # Given another MSP's onboarded customer
    theirs = world.customer("other_msp", organization_name="Litware")
    # When the distributor filters its list by that MSP's id
    viewer = browser(world)
    sign_in(viewer, world.keys["dist"])
    for tab in ("customers", "pending"):
        page = viewer.get(f"{PAGE}?tab={tab}&owner={world.ids['other_msp']}").text
        # Then it sees no customer and not the other MSP's name
        assert organizations(page) == []
        assert OTHER_MSP_NAME not in page
        assert theirs["id"] not in page
