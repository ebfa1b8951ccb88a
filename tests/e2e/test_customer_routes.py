"""Each customer route's happy path and its refusals, over HTTP."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import World


def test_adding_a_customer_answers_201_with_location_etag_and_actions(world: World) -> None:
    response = world.call(
        "msp",
        "POST",
        "/v1/customers",
        json={
            "organization_name": "Contoso",
            "notification_email": "a@b.example",
            "sku": "ESSENTIALS_MSP_2025",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"].endswith(f"/v1/customers/{body['id']}")
    assert response.headers["etag"] == '"1"'
    assert body["source"] == "MSP"
    assert body["stage"] == "pending"
    assert body["status"] == "TRIAL"
    assert body["actions"]["manage_upgrade"]["allowed"] is True
    assert body["created_at"].endswith("Z")


def test_the_admin_adds_a_direct_customer_for_a_partner(world: World) -> None:
    body = world.customer("admin", partner_id=world.ids["msp"], source="DIRECT")
    assert body["source"] == "DIRECT"
    assert body["partner_id"] == world.ids["msp"]


def test_the_admin_must_name_the_partner_of_a_direct_customer(world: World) -> None:
    response = world.call(
        "admin",
        "POST",
        "/v1/customers",
        json={
            "organization_name": "X",
            "notification_email": "a@b.example",
            "sku": "ESSENTIALS_MSP_2025",
            "source": "DIRECT",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["partner_id"]


def test_an_unknown_sku_is_a_validation_error_naming_the_field(world: World) -> None:
    response = world.call(
        "msp",
        "POST",
        "/v1/customers",
        json={"organization_name": "X", "notification_email": "a@b.example", "sku": "NOPE"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"loc": ["sku"], "msg": "unknown SKU 'NOPE'"}]


def test_a_too_long_organization_name_and_unknown_members_are_refused(world: World) -> None:
    response = world.call(
        "msp",
        "POST",
        "/v1/customers",
        json={
            "organization_name": "x" * 201,
            "notification_email": "a@b.example",
            "sku": "ESSENTIALS_MSP_2025",
            "colour": "red",
        },
    )
    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert locs == {("body", "organization_name"), ("body", "colour")}


def test_lists_show_pending_then_onboarded_customers_with_paging(world: World) -> None:
    first = world.customer(organization_name="Alpha")
    world.customer(organization_name="Beta")
    pending = world.call("msp", "GET", "/v1/customers/pending", params={"limit": 1}).json()
    assert len(pending["items"]) == 1
    assert pending["next_cursor"]
    assert "/activate/" in pending["items"][0]["activation_url"]
    rest = world.call(
        "msp", "GET", "/v1/customers/pending", params={"cursor": pending["next_cursor"]}
    ).json()
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert (
        world.call("msp", "GET", "/v1/customers/pending", params={"q": "alp"}).json()["items"][0][
            "id"
        ]
        == first["id"]
    )
    world.onboard(first["id"])
    onboarded = world.call("msp", "GET", "/v1/customers", params={"status": "TRIAL"}).json()
    assert [c["id"] for c in onboarded["items"]] == [first["id"]]
    assert world.call("other_msp", "GET", "/v1/customers").json()["items"] == []


def test_a_limit_outside_1_to_200_is_refused(world: World) -> None:
    assert world.call("msp", "GET", "/v1/customers", params={"limit": 201}).status_code == 422
    assert world.call("msp", "GET", "/v1/customers", params={"limit": 0}).status_code == 422


def test_extension_is_refused_before_the_window_with_available_from_then_granted(
    world: World,
) -> None:
    customer = world.onboard(world.customer()["id"])
    refused = world.call("msp", "POST", f"/v1/customers/{customer['id']}/extend-trial")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "https://tenantry.dev/problems/extension-not-yet-available"
    assert problem["available_from"] == customer["actions"]["extend_trial"]["available_from"]
    world.clock.advance(timedelta(days=11))
    granted = world.call("msp", "POST", f"/v1/customers/{customer['id']}/extend-trial")
    assert granted.status_code == 200
    assert granted.json()["trial_ends_at"] > customer["trial_ends_at"]
    assert granted.headers["etag"] == f'"{granted.json()["version"]}"'


def test_a_stale_if_match_gets_412_and_a_current_one_proceeds(world: World) -> None:
    customer = world.customer()
    path = f"/v1/customers/{customer['id']}/automatic-upgrade"
    ok = world.call("msp", "PUT", path, json={"enabled": False}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = world.call("msp", "PUT", path, json={"enabled": True}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["type"].endswith("/precondition-failed")


def test_conversion_and_subscription_changes(world: World) -> None:
    customer = world.onboard(world.customer()["id"])
    converted = world.call(
        "msp",
        "POST",
        f"/v1/customers/{customer['id']}/convert-to-production",
        json={"expiration_date": "2030-01-01", "addons": ["AUDIT"]},
    )
    assert converted.status_code == 200
    assert converted.json()["status"] == "PRODUCTION"
    changed = world.call(
        "msp",
        "PATCH",
        f"/v1/customers/{customer['id']}/subscription",
        json={"expiration_date": "2031-01-01"},
    )
    assert changed.status_code == 200
    assert changed.json()["expiration_date"] == "2031-01-01"


def test_history_and_state_as_of_an_earlier_instant(world: World) -> None:
    # Given no background work (it would record ActivationSent at the creation instant)
    world.client.app.state.services.sweeper.stop()  # type: ignore[attr-defined]
    customer = world.customer()
    created_at = customer["created_at"]
    world.clock.advance(timedelta(hours=1))
    world.call(
        "msp", "PUT", f"/v1/customers/{customer['id']}/automatic-upgrade", json={"enabled": False}
    )
    history = world.call("auditor", "GET", f"/v1/customers/{customer['id']}/history").json()
    assert [e["type"] for e in history["events"]] == ["Created", "UpgradeHeld"]
    earlier = world.call(
        "auditor", "GET", f"/v1/customers/{customer['id']}", params={"as_of": created_at}
    )
    assert earlier.status_code == 200
    assert earlier.json()["automatic_upgrade"] is True
    assert earlier.headers["etag"] == '"1"'


def test_import_routes_report_progress_failure_and_completion(world: World) -> None:
    cid = world.customer()["id"]
    link = world.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()
    world.client.post(link["url"].split("8000", 1)[1])
    log = world.call(
        "importer",
        "POST",
        f"/v1/customers/{cid}/import/log",
        json={"level": "info", "message": "go"},
    )
    assert log.json()["import_status"] == "importing"
    failed = world.call(
        "importer",
        "POST",
        f"/v1/customers/{cid}/import/failures",
        json={"code": "MAILBOX", "message": "down"},
    )
    assert failed.json()["import_status"] == "failed"
    done = world.call("importer", "POST", f"/v1/customers/{cid}/import/completion")
    assert done.json()["stage"] == "onboarded"


def test_catalogue_lists_skus_and_addons(world: World) -> None:
    body = world.call("auditor", "GET", "/v1/catalogue").json()
    assert {s["code"] for s in body["skus"]} == {"ESSENTIALS_MSP_2025", "PROFESSIONAL_MSP_2025"}
    assert len(body["addons"]) == 3
