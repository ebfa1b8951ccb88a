"""List filters by owner and distributor, on top of each caller's visibility."""

from __future__ import annotations

from tests.e2e.conftest import World


def names(world: World, who: str, path: str, **params: str) -> set[str]:
    response = world.call(who, "GET", path, params=params)
    assert response.status_code == 200, response.text
    return {item["organization_name"] for item in response.json()["items"]}


def test_the_auditor_filters_pending_customers_by_owner_and_by_distributor(world: World) -> None:
    world.customer("msp", organization_name="Under Dist")
    world.customer("other_msp", organization_name="Standalone")
    world.customer("dist", organization_name="Dist Own")

    path = "/v1/customers/pending"
    assert names(world, "auditor", path) == {"Under Dist", "Standalone", "Dist Own"}
    assert names(world, "auditor", path, owner=world.ids["other_msp"]) == {"Standalone"}
    assert names(world, "auditor", path, distributor=world.ids["dist"]) == {"Under Dist"}


def test_a_filter_never_widens_what_a_partner_sees(world: World) -> None:
    world.customer("other_msp", organization_name="Standalone")
    assert names(world, "msp", "/v1/customers/pending", owner=world.ids["other_msp"]) == set()


def test_the_customers_view_filters_by_owner(world: World) -> None:
    mine = world.customer("msp", organization_name="Onboarded One")
    world.onboard(mine["id"])
    theirs = world.customer("other_msp", organization_name="Onboarded Two")
    assert names(world, "auditor", "/v1/customers", owner=world.ids["msp"]) == {"Onboarded One"}
    assert theirs["organization_name"] == "Onboarded Two"
