"""The Actions menu's walk over TestClient on SQLite and on PostgreSQL: Extend trial
refused before its window, granted in it, the upgrade held, the customer converted and
its subscription edited, each step in the customer page's History."""

from __future__ import annotations

import re

from tests.e2e.conftest import World
from tests.e2e.console import ACTIONS, HTMX, advance, csrf_of, panel, sign_in, targets_of
from tests.support.backends import on_both_databases

pytestmark = on_both_databases


def apply(world: World, action: str, page: str, **fields: object) -> str:
    data = {"csrf_token": csrf_of(page), "target": targets_of(page), **fields}
    answer = world.client.post(f"{ACTIONS}/{action}", data=data, headers=HTMX)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_actions_walk(world: World) -> None:
    cid = world.customer()["id"]
    world.onboard(cid)
    sign_in(world.client, world.keys["msp"])
    page = panel(world.client, "extend-trial", cid)
    assert "Available from" in page
    assert "The trial can be extended only in its last days" in apply(world, "extend-trial", page)
    advance(world, days=11)
    granted = apply(world, "extend-trial", panel(world.client, "extend-trial", cid))
    assert "Trial extended: it now ends at 2026-01-26 09:00 UTC." in granted
    held = apply(world, "upgrade", panel(world.client, "upgrade", cid), enabled="false")
    assert "Automatic upgrade held" in held
    page = panel(world.client, "convert", cid)
    converted = apply(world, "convert", page, customer=[cid], expiration_date="2027-01-31")
    assert "Converted to production: the subscription expires on 2027-01-31 (UTC)." in converted
    page = panel(world.client, "edit", cid)
    edited = apply(
        world,
        "edit",
        page,
        customer=[cid],
        sku="ESSENTIALS_MSP_2025",
        addons=["AUDIT"],
        expiration_date="2027-02-28",
    )
    assert "Subscription saved: SKU ESSENTIALS_MSP_2025, add-ons AUDIT, expires on 2027-02-28" in (
        edited
    )
    history = world.client.get(f"/console/customers/{cid}").text
    names = re.findall(r"<td>([A-Za-z]+)</td>\s*<td>Northwind MSP \(MSP\)</td>", history)
    assert names == [
        "Created",
        "TrialExtended",
        "UpgradeHeld",
        "ConvertedToProduction",
        "SubscriptionChanged",
    ]
