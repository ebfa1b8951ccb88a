"""Keys with a lifecycle: listed without their secrets, revoked by the admin or by
their partner, and partners listed for the admin and for a distributor."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.e2e.conftest import World
from tests.support.principals import bearer


def key_id_of(api_key: str) -> str:
    return api_key.split("_", 3)[2]


def test_an_issued_key_is_listed_by_its_id_and_prefix_never_its_secret(world: World) -> None:
    # Given a partner with a second key, issued a minute after the first
    world.clock.advance(timedelta(minutes=1))
    issued = world.call("admin", "POST", f"/v1/partners/{world.ids['msp']}/api-keys").json()
    # When the partner lists its keys
    listed = world.call("msp", "GET", f"/v1/partners/{world.ids['msp']}/api-keys")
    # Then both are there, oldest first, named by id and prefix, and no secret is shown
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [i["id"] for i in items] == [key_id_of(world.keys["msp"]), issued["id"]]
    assert issued["prefix"] == items[1]["prefix"]
    assert issued["api_key"].startswith(issued["prefix"] + "_")
    for key in (world.keys["msp"], issued["api_key"]):
        assert key.split("_", 3)[3] not in listed.text
    assert all(i["created_at"] for i in items)


def test_a_key_in_use_shows_when_it_was_last_used_to_the_minute(world: World) -> None:
    # Given a key used now
    world.clock.advance(timedelta(seconds=75))
    assert world.call("msp", "GET", "/v1/customers").status_code == 200
    # When the background work writes what was noted
    assert world.client.app.state.services.key_uses.flush() >= 1
    # Then the list shows the minute of that use; a key never used shows none
    items = world.call("admin", "GET", f"/v1/partners/{world.ids['msp']}/api-keys").json()["items"]
    [used] = [i for i in items if i["id"] == key_id_of(world.keys["msp"])]
    assert datetime.fromisoformat(used["last_used_at"]) == world.clock.now().replace(
        second=0, microsecond=0
    )
    spare = world.call("admin", "POST", f"/v1/partners/{world.ids['msp']}/api-keys").json()
    items = world.call("admin", "GET", f"/v1/partners/{world.ids['msp']}/api-keys").json()["items"]
    assert [i["last_used_at"] for i in items if i["id"] == spare["id"]] == [None]


def test_a_partner_revokes_its_leaked_key_and_it_is_refused_at_once(world: World) -> None:
    # Given a partner with a second key, both in use
    spare = world.call("admin", "POST", f"/v1/partners/{world.ids['msp']}/api-keys").json()
    assert world.client.get("/v1/customers", headers=bearer(spare["api_key"])).status_code == 200
    # When the partner revokes the first one with the second
    leaked = key_id_of(world.keys["msp"])
    path = f"/v1/partners/{world.ids['msp']}/api-keys/{leaked}"
    revoked = world.client.delete(path, headers=bearer(spare["api_key"]))
    # Then the leaked key is refused, the other still works, and the list names only it
    assert revoked.status_code == 204, revoked.text
    assert world.call("msp", "GET", "/v1/customers").status_code == 401
    listed = world.client.get(
        f"/v1/partners/{world.ids['msp']}/api-keys", headers=bearer(spare["api_key"])
    )
    assert [i["id"] for i in listed.json()["items"]] == [spare["id"]]
    # And revoking it again finds no such key
    again = world.client.delete(path, headers=bearer(spare["api_key"]))
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"


def test_the_admin_lists_and_revokes_service_keys(world: World) -> None:
    # Given the importer's and the auditor's keys
    listed = world.call("admin", "GET", "/v1/service-keys")
    assert listed.status_code == 200, listed.text
    items = {i["role"]: i for i in listed.json()["items"]}
    assert set(items) == {"importer", "auditor"}
    assert items["auditor"]["id"] == key_id_of(world.keys["auditor"])
    # When the admin revokes the auditor's key
    revoked = world.call("admin", "DELETE", f"/v1/service-keys/{items['auditor']['id']}")
    # Then the auditor is refused and the list holds the importer's key alone
    assert revoked.status_code == 204, revoked.text
    assert world.call("auditor", "GET", "/v1/customers").status_code == 401
    left = world.call("admin", "GET", "/v1/service-keys").json()["items"]
    assert [i["role"] for i in left] == ["importer"]


def test_the_admin_lists_every_partner_and_a_distributor_its_msps(world: World) -> None:
    # Given a customer of the distributor's MSP
    world.customer()
    # When the admin and the distributor list partners
    everyone = world.call("admin", "GET", "/v1/partners").json()["items"]
    theirs = world.call("dist", "GET", "/v1/partners").json()["items"]
    mine = world.call("msp", "GET", "/v1/partners").json()["items"]
    # Then the admin sees all four, the distributor its MSP with its customer, the MSP itself
    assert len(everyone) == 4
    assert [(p["id"], p["customers"], p["status"]) for p in theirs] == [
        (world.ids["msp"], 1, "production")
    ]
    assert [p["id"] for p in mine] == [world.ids["msp"]]


def test_partners_come_in_pages(world: World) -> None:
    # Given four partners, When the admin lists them three at a time
    first = world.call("admin", "GET", "/v1/partners?limit=3").json()
    rest = world.call("admin", "GET", f"/v1/partners?limit=3&cursor={first['next_cursor']}").json()
    # Then the second page holds the fourth, and no page repeats another's partner
    assert len(first["items"]) == 3
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert len(set(ids)) == 4
    # And a cursor that is not this list's is refused
    wrong = world.call("admin", "GET", "/v1/partners?cursor=AAAA")
    assert wrong.status_code == 422
