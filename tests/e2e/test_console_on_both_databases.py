"""The console's walk on SQLite and on PostgreSQL: sign in, add a customer, see it
pending with its link, onboarded under Customers, and sign out."""

from __future__ import annotations

from tests.e2e.conftest import SKU, World
from tests.e2e.console import PAGE, PENDING, csrf_of, organizations, sign_in
from tests.support.backends import on_both_databases

pytestmark = on_both_databases


def test_the_console_walk(world: World) -> None:
    client = world.client
    sign_in(client, world.keys["msp"])
    form = client.get("/console/customers/new").text
    added = client.post(
        "/console/customers/new",
        data={
            "csrf_token": csrf_of(form),
            "organization_name": "Contoso",
            "notification_email": "it@contoso.example",
            "sku": SKU,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    pending = client.get(PENDING).text
    assert organizations(pending) == ["Contoso"]
    [customer] = world.call("msp", "GET", "/v1/customers/pending").json()["items"]
    assert f'data-copy="{customer["activation_url"]}"' in pending
    world.onboard(customer["id"])
    assert organizations(client.get(PENDING).text) == []
    assert organizations(client.get(f"{PAGE}?status=TRIAL").text) == ["Contoso"]
    signed_out = client.post(
        "/console/sign-out", data={"csrf_token": csrf_of(pending)}, follow_redirects=False
    )
    assert signed_out.status_code == 303
    assert client.get(PAGE, follow_redirects=False).status_code == 303
