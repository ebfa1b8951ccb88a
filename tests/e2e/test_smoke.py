from tests.e2e.conftest import World


def test_a_partner_adds_a_customer_and_reads_it_back(world: World) -> None:
    created = world.customer()
    read = world.call("msp", "GET", f"/v1/customers/{created['id']}")
    assert read.status_code == 200
    assert read.json()["organization_name"] == "Contoso"
